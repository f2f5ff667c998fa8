import Crypto
import EqxData
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining
import Foundation

/// A finished training (`train-<key>.safetensors`) or an interrupted one (`….partial.safetensors`) in the
/// cache. Cache files are untrusted input — truncated by a full disk, edited, copied from elsewhere — so
/// an entry carries a digest of its content, and reading checks the digest, every shape against the
/// network and optimizer that will use it, and every recorded number's range. An entry that does not
/// verify is rejected (the executor warns and recomputes); it is never read past its end.
struct TrainingCacheEntry {
    var state: StateDict
    var optimizer: [String: Tensor]
    var outcome: TrainingOutcome
    /// Steps already taken (for a finished entry, all of them).
    var step: Int

    /// Why an entry was not used.
    struct Rejected: Error, CustomStringConvertible {
        var file: String
        var reason: String
        var description: String { "\(file): \(reason)" }
    }

    static let digestKey = "eqx_digest"
    static let formatKey = "eqx_cache_format"
    static let format = "2"

    // MARK: Writing

    static func write(_ entry: TrainingCacheEntry, to url: URL, metadata: [String: String]) throws {
        var t = Checkpoints.tensors(entry.state)
        for (k, v) in entry.optimizer { t["optim.\(k)"] = SafeTensor(floats: v.scalars, shape: v.shape) }
        let o = entry.outcome
        t["outcome.curve"] = doubles(o.curve.flatMap { [Double($0.step), $0.loss, $0.accuracy] }, columns: 3)
        t["outcome.distance"] = doubles(o.distance.flatMap { [Double($0.step), $0.absolute, $0.relative] }, columns: 3)
        let evalCount = o.epochs.first?.evaluations.count ?? 0
        t["outcome.epochs"] = doubles(o.epochs.flatMap { e in
            [Double(e.epoch), Double(e.step), e.trainLoss, e.trainAccuracy] + e.evaluations.flatMap { [$0.loss, $0.accuracy] }
        }, columns: 4 + 2 * evalCount)
        t["outcome.scalars"] = doubles([Double(o.steps), o.finalLoss, o.finalAccuracy, Double(entry.step)], columns: 4)
        var meta = metadata
        meta["distance_groups"] = o.distance.map(\.group).joined(separator: "\n")
        meta["evaluations"] = o.epochs.first?.evaluations.map(\.data).joined(separator: "\n") ?? ""
        meta["evaluation_count"] = String(evalCount)
        meta[formatKey] = format
        meta[digestKey] = digest(t, metadata: meta)
        try SafeTensors.write(t, metadata: meta, to: url)
    }

    /// Doubles stored bit for bit as I64, `columns` per row.
    private static func doubles(_ values: [Double], columns: Int) -> SafeTensor {
        let rows = columns == 0 ? 0 : values.count / columns
        return SafeTensor(int64s: values.map { Int64(bitPattern: $0.bitPattern) }, shape: [rows, columns])
    }

    /// SHA-256 over every tensor (name, dtype, shape, bytes) and every metadata entry but the digest, in
    /// sorted order: any change to the content changes it.
    static func digest(_ tensors: [String: SafeTensor], metadata: [String: String]) -> String {
        var h = SHA256()
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            h.update(data: Array("tensor \(name) \(t.dtype.rawValue) \(t.shape)\n".utf8))
            h.update(data: t.bytes)
        }
        for key in metadata.keys.sorted() where key != digestKey {
            h.update(data: Array("meta \(key)=\(metadata[key]!)\n".utf8))
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Reading

    /// What the reader expects: the network's state (keys and shapes), the optimizer whose buffers the
    /// entry must hold, the training's step count, and whether the entry must be finished.
    struct Expectation {
        var template: StateDict
        var optimizer: OptimizerSpec
        var totalSteps: Int
        var finished: Bool
    }

    static func read(_ url: URL, expecting e: Expectation) throws -> TrainingCacheEntry {
        let file = url.path
        func reject(_ reason: String) -> Rejected { Rejected(file: file, reason: reason) }
        let c: SafeTensors.Contents
        do { c = try SafeTensors.read(url) } catch { throw reject("\(error)") }
        guard c.metadata[formatKey] == format else { throw reject("written by another eqx cache format") }
        guard let stored = c.metadata[digestKey], stored == digest(c.tensors, metadata: c.metadata) else {
            throw reject("its content does not match its digest")
        }

        // The network's tensors: every key, its shape, finite values; nothing else outside optim./outcome.
        var state = e.template
        for k in e.template.keys {
            guard let t = c.tensors[k] else { throw reject("no tensor '\(k)'") }
            guard t.dtype == .F32, t.shape == e.template[k]!.shape else {
                throw reject("'\(k)' has shape \(t.shape) of \(t.dtype.rawValue), the network needs \(e.template[k]!.shape) of F32")
            }
            let values = try floats(t, name: k, reject)
            state[k] = try Tensor(shape: t.shape, scalars: values)
        }

        // Optimizer buffers: exactly those the optimizer keeps, each of its parameter's shape.
        let expectedOptimizer = optimizerShapes(e.optimizer, template: e.template)
        var optimizer: [String: Tensor] = [:]
        for (k, t) in c.tensors {
            if e.template[k] != nil || k.hasPrefix("outcome.") { continue }
            guard k.hasPrefix("optim.") else { throw reject("unexpected tensor '\(k)'") }
            let name = String(k.dropFirst(6))
            guard let shape = expectedOptimizer[name] else { throw reject("unexpected optimizer tensor '\(k)'") }
            guard t.dtype == .F32, t.shape == shape else {
                throw reject("optimizer tensor '\(k)' is \(t.dtype.rawValue) \(t.shape), expected F32 \(shape)")
            }
            optimizer[name] = try Tensor(shape: shape, scalars: floats(t, name: k, reject))
        }

        // The recorded outcome.
        let scalars = try rows(c.tensors["outcome.scalars"], columns: 4, name: "outcome.scalars", reject)
        guard scalars.count == 1 else { throw reject("outcome.scalars has \(scalars.count) rows, expected 1") }
        let s = scalars[0]
        guard let steps = exactCount(s[0]), let step = exactCount(s[3]) else {
            throw reject("step counts \(s[0]), \(s[3]) are not whole numbers ≥ 0")
        }
        guard steps == step, step <= e.totalSteps else {
            throw reject("records step \(step) of \(steps), the training has \(e.totalSteps) steps")
        }
        if e.finished {
            guard step == e.totalSteps, optimizer.isEmpty else { throw reject("is not a finished training") }
        } else {
            guard step < e.totalSteps else { throw reject("is a finished training, not a partial one") }
            // SGD makes a momentum buffer at a parameter's first gradient; Adam keeps all of its state.
            if case .adam = e.optimizer, optimizer.count != expectedOptimizer.count {
                throw reject("holds \(optimizer.count) of Adam's \(expectedOptimizer.count) buffers")
            }
            if let t = optimizer["step"] {
                guard let n = exactCount(Double(t.scalars[0])), n <= step else {
                    throw reject("the optimizer's step \(t.scalars[0]) is not a count ≤ \(step)")
                }
            }
        }
        var o = TrainingOutcome()
        o.steps = steps; o.finalLoss = s[1]; o.finalAccuracy = s[2]
        for r in try rows(c.tensors["outcome.curve"], columns: 3, name: "outcome.curve", reject) {
            guard let at = exactCount(r[0]), at <= step else { throw reject("outcome.curve has step \(r[0])") }
            o.curve.append(CurvePoint(step: at, loss: r[1], accuracy: r[2]))
        }
        let groups = (c.metadata["distance_groups"] ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let distance = try rows(c.tensors["outcome.distance"], columns: 3, name: "outcome.distance", reject)
        guard distance.isEmpty || groups.count == distance.count else {
            throw reject("outcome.distance has \(distance.count) rows for \(groups.count) group names")
        }
        for (j, r) in distance.enumerated() {
            guard let at = exactCount(r[0]), at <= step else { throw reject("outcome.distance has step \(r[0])") }
            o.distance.append(DistancePoint(step: at, group: groups[j], absolute: r[1], relative: r[2]))
        }
        let names = (c.metadata["evaluations"] ?? "").split(separator: "\n").map(String.init)
        guard c.metadata["evaluation_count"] == String(names.count) else {
            throw reject("evaluation_count does not match the \(names.count) evaluation names")
        }
        for r in try rows(c.tensors["outcome.epochs"], columns: 4 + 2 * names.count, name: "outcome.epochs", reject) {
            guard let epoch = exactCount(r[0]), let at = exactCount(r[1]), at <= step else {
                throw reject("outcome.epochs has epoch \(r[0]) at step \(r[1])")
            }
            var p = EpochPoint(epoch: epoch, step: at, trainLoss: r[2], trainAccuracy: r[3])
            for (j, name) in names.enumerated() {
                p.evaluations.append(EpochPoint.Evaluation(data: name, loss: r[4 + 2 * j], accuracy: r[5 + 2 * j]))
            }
            o.epochs.append(p)
        }
        return TrainingCacheEntry(state: state, optimizer: optimizer, outcome: o, step: step)
    }

    /// The buffers `OptimizerBox` saves for these parameters, by name.
    static func optimizerShapes(_ spec: OptimizerSpec, template: StateDict) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        switch spec {
        case .sgd(_, let momentum, _, _):
            guard momentum != 0 else { return [:] }
            for k in template.parameterKeys { out["\(k).momentum"] = template[k]!.shape }
        case .adam:
            for k in template.parameterKeys {
                out["\(k).exp_avg"] = template[k]!.shape
                out["\(k).exp_avg_sq"] = template[k]!.shape
            }
            out["step"] = Tensor(scalar: 0).shape
        }
        return out
    }

    private static func floats(_ t: SafeTensor, name: String, _ reject: (String) -> Rejected) throws -> [Float] {
        let values: [Float]
        do { values = try t.floats() } catch { throw reject("'\(name)': \(error)") }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw reject("'\(name)' holds \(values[i]) at index \(i)")
        }
        return values
    }

    /// Rows of doubles stored as I64 `[rows, columns]`; a missing tensor is no rows.
    private static func rows(_ t: SafeTensor?, columns: Int, name: String,
                             _ reject: (String) -> Rejected) throws -> [[Double]] {
        guard let t = t else { return [] }
        guard t.dtype == .I64, t.shape.count == 2, t.shape[1] == columns || t.shape[0] == 0 else {
            throw reject("'\(name)' is \(t.dtype.rawValue) \(t.shape), expected I64 [rows, \(columns)]")
        }
        let values: [Int64]
        do { values = try t.int64s() } catch { throw reject("'\(name)': \(error)") }
        guard values.count == t.shape[0] * t.shape[1] else { throw reject("'\(name)' does not hold its shape") }
        let doubles = values.map { Double(bitPattern: UInt64(bitPattern: $0)) }
        return stride(from: 0, to: doubles.count, by: max(columns, 1)).map { Array(doubles[$0..<($0 + columns)]) }
    }

    /// A stored count: a whole, non-negative number small enough for an Int.
    private static func exactCount(_ x: Double) -> Int? {
        guard x.isFinite, x >= 0, x == x.rounded(), x < 1e15 else { return nil }
        return Int(x)
    }
}
