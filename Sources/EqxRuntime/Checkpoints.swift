import EqxData
import EqxNN
import EqxTensor
import EqxTraining
import Foundation

/// Checkpoints are `.safetensors` files with PyTorch's keys (`conv1.weight`, `bn1.running_mean`) and
/// layouts (OIHW), so `torch.nn` models load them. Training state that PyTorch does not need (optimizer
/// buffers, recorded curves) lives under `optim.` and `outcome.` keys of eqx's own cache files.
enum Checkpoints {
    static func tensors(_ state: StateDict) -> [String: SafeTensor] {
        var out: [String: SafeTensor] = [:]
        for k in state.keys { out[k] = SafeTensor(floats: state[k]!.scalars, shape: state[k]!.shape) }
        return out
    }

    static func write(_ state: StateDict, to url: URL, metadata: [String: String]) throws {
        try SafeTensors.write(tensors(state), metadata: metadata, to: url)
    }

    /// Reads a state dict for `template`'s keys (the architecture decides which keys are trainable).
    static func readState(_ contents: SafeTensors.Contents, template: StateDict, file: String) throws -> StateDict {
        var state = template
        for k in template.keys {
            guard let t = contents.tensors[k] else {
                throw RuntimeError("\(file) has no tensor '\(k)'", exitCode: 65)
            }
            let values = try t.floats()
            guard t.shape == template[k]!.shape else {
                throw RuntimeError("\(file): '\(k)' has shape \(t.shape), the network needs \(template[k]!.shape)", exitCode: 65)
            }
            state[k] = try Tensor(shape: t.shape, scalars: values)
        }
        return state
    }

    // MARK: Training cache entries (exact: doubles stored bit for bit)

    static func doubles(_ values: [Double], rows: Int) -> SafeTensor {
        SafeTensor(int64s: values.map { Int64(bitPattern: $0.bitPattern) }, shape: [rows, rows == 0 ? 0 : values.count / rows])
    }

    static func decodeDoubles(_ t: SafeTensor?) throws -> (values: [Double], columns: Int) {
        guard let t = t else { return ([], 0) }
        return (try t.int64s().map { Double(bitPattern: UInt64(bitPattern: $0)) }, t.shape.count > 1 ? t.shape[1] : 0)
    }

    static func writeTraining(state: StateDict, optimizer: [String: Tensor], outcome: TrainingOutcome, step: Int,
                              to url: URL, metadata: [String: String]) throws {
        var t = tensors(state)
        for (k, v) in optimizer { t["optim.\(k)"] = SafeTensor(floats: v.scalars, shape: v.shape) }
        t["outcome.curve"] = doubles(outcome.curve.flatMap { [Double($0.step), $0.loss, $0.accuracy] }, rows: outcome.curve.count)
        t["outcome.distance"] = doubles(outcome.distance.flatMap { [Double($0.step), $0.absolute, $0.relative] }, rows: outcome.distance.count)
        let evalCount = outcome.epochs.first?.evaluations.count ?? 0
        t["outcome.epochs"] = doubles(outcome.epochs.flatMap { e in
            [Double(e.epoch), Double(e.step), e.trainLoss, e.trainAccuracy] + e.evaluations.flatMap { [$0.loss, $0.accuracy] }
        }, rows: outcome.epochs.count)
        t["outcome.scalars"] = doubles([Double(outcome.steps), outcome.finalLoss, outcome.finalAccuracy, Double(step)], rows: 1)
        var meta = metadata
        meta["distance_groups"] = outcome.distance.map(\.group).joined(separator: "\n")
        meta["evaluations"] = outcome.epochs.first?.evaluations.map(\.data).joined(separator: "\n") ?? ""
        meta["evaluation_count"] = String(evalCount)
        try SafeTensors.write(t, metadata: meta, to: url)
    }

    static func readTraining(_ url: URL, template: StateDict) throws
        -> (state: StateDict, optimizer: [String: Tensor], outcome: TrainingOutcome, step: Int) {
        let c = try SafeTensors.read(url)
        let state = try readState(c, template: template, file: url.path)
        var optimizer: [String: Tensor] = [:]
        for (k, v) in c.tensors where k.hasPrefix("optim.") {
            optimizer[String(k.dropFirst(6))] = try Tensor(shape: v.shape, scalars: v.floats())
        }
        var o = TrainingOutcome()
        let curve = try decodeDoubles(c.tensors["outcome.curve"])
        for i in stride(from: 0, to: curve.values.count, by: 3) {
            o.curve.append(CurvePoint(step: Int(curve.values[i]), loss: curve.values[i + 1], accuracy: curve.values[i + 2]))
        }
        let groups = (c.metadata["distance_groups"] ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let dist = try decodeDoubles(c.tensors["outcome.distance"])
        for (j, i) in stride(from: 0, to: dist.values.count, by: 3).enumerated() {
            o.distance.append(DistancePoint(step: Int(dist.values[i]), group: j < groups.count ? groups[j] : "",
                                            absolute: dist.values[i + 1], relative: dist.values[i + 2]))
        }
        let names = (c.metadata["evaluations"] ?? "").split(separator: "\n").map(String.init)
        let ep = try decodeDoubles(c.tensors["outcome.epochs"])
        if ep.columns > 0 {
            for i in stride(from: 0, to: ep.values.count, by: ep.columns) {
                let v = Array(ep.values[i..<(i + ep.columns)])
                var p = EpochPoint(epoch: Int(v[0]), step: Int(v[1]), trainLoss: v[2], trainAccuracy: v[3])
                for (j, name) in names.enumerated() where 5 + 2 * j < ep.columns {
                    let loss: Double = v[4 + 2 * j]
                    let accuracy: Double = v[5 + 2 * j]
                    p.evaluations.append(EpochPoint.Evaluation(data: name, loss: loss, accuracy: accuracy))
                }
                o.epochs.append(p)
            }
        }
        let s = try decodeDoubles(c.tensors["outcome.scalars"]).values
        var step = 0
        if s.count >= 4 { o.steps = Int(s[0]); o.finalLoss = s[1]; o.finalAccuracy = s[2]; step = Int(s[3]) }
        return (state, optimizer, o, step)
    }
}
