import EqxData
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining
import Foundation
import EqxEvaluation

extension Executor {
    /// `save predictions(net, data) to PATH`: the logits of every sample of `ref`, in the data's order,
    /// with the sample's index within `ref` and its label. Written atomically; an unwritable path is a
    /// `DataError.io` (exit 74).
    func savePredictions(_ net: Network, on ref: DataRef, format: PredictionsFormat, path: String) throws {
        let samples = try dataset(ref)
        let table = try Predictions(network: net, data: samples, firstIndex: ref.range?.lowerBound ?? 0)
        guard let url = resolveOutput(path) else { return }
        switch format {
        case .csv: try AtomicFile.write(table.csv(), to: url)
        case .npy: try AtomicFile.write(Data(table.npy()), to: url)
        }
        observer(.wrote(url))
    }
}

/// A network's outputs on a dataset, one row per sample.
struct Predictions {
    /// Index of each sample in the split it was taken from (`digits.test[100..199]` starts at 100).
    var indices: [Int]
    var labels: [Int]
    /// Row-major [samples, outputs].
    var logits: [Float]
    var outputs: Int

    init(network: Network, data: Dataset, firstIndex: Int, batchSize: Int = 256) throws {
        indices = Array(firstIndex..<(firstIndex + data.count))
        labels = data.labels
        logits = []
        outputs = 0
        for (x, _) in try data.sequentialBatches(size: batchSize) {
            let out = try network.forward(x, options: .evaluation).output.value
            outputs = out.shape.last ?? 1
            logits += out.scalars
        }
    }

    /// `index,label,predicted,logit_0,…`; floats in the shortest form that reads back bit-exactly.
    func csv() -> String {
        var text = "index,label,predicted," + (0..<outputs).map { "logit_\($0)" }.joined(separator: ",") + "\n"
        for (row, index) in indices.enumerated() {
            let z = logits[(row * outputs)..<((row + 1) * outputs)]
            text += "\(index),\(labels[row]),\(predicted(z)),"
            text += z.map { "\($0)" }.joined(separator: ",") + "\n"
        }
        return text
    }

    /// A structured array: fields `index`, `label`, `predicted` (int64) and `logits` (float32 [outputs]).
    func npy() -> [UInt8] {
        var ints: [Int] = []
        ints.reserveCapacity(3 * indices.count)
        for (row, index) in indices.enumerated() {
            ints += [index, labels[row], predicted(logits[(row * outputs)..<((row + 1) * outputs)])]
        }
        let fields = [NPYWriter.Field(name: "index", kind: .int64), NPYWriter.Field(name: "label", kind: .int64),
                      NPYWriter.Field(name: "predicted", kind: .int64),
                      NPYWriter.Field(name: "logits", kind: .float32, shape: [outputs])]
        return NPYWriter.records(fields, count: indices.count, ints: ints, floats: logits)
    }

    /// The class a row predicts: the largest logit (first on ties), or for one output its sign.
    private func predicted(_ z: ArraySlice<Float>) -> Int {
        if z.count == 1 { return z.first! > 0 ? 1 : 0 }
        var best = z.startIndex
        for i in z.indices where z[i] > z[best] { best = i }
        return best - z.startIndex
    }
}
