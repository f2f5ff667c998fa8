import EqxData
import EqxTensor

extension Dataset {
    /// Samples `indices` as a batch tensor [B, ...sampleShape] with their labels.
    public func batch(_ indices: [Int]) throws -> (inputs: Tensor, labels: [Int]) {
        let size = sampleShape.reduce(1, *)
        var scalars = [Float](repeating: 0, count: indices.count * size)
        var labels = [Int](repeating: 0, count: indices.count)
        try inputs.withUnsafeBufferPointer { src in
            try scalars.withUnsafeMutableBufferPointer { dst in
                for (row, i) in indices.enumerated() {
                    guard i >= 0, i < count else {
                        throw TensorError.invalidArgument(op: "batch", message: "sample \(i) is outside '\(name)' (\(count) samples)")
                    }
                    let from = src.baseAddress! + i * size
                    (dst.baseAddress! + row * size).update(from: from, count: size)
                    labels[row] = self.labels[i]
                }
            }
        }
        return (try Tensor(shape: [indices.count] + sampleShape, scalars: scalars), labels)
    }

    /// Consecutive batches of at most `size` samples, in order (for evaluation).
    public func sequentialBatches(size: Int) throws -> [(inputs: Tensor, labels: [Int])] {
        var out: [(Tensor, [Int])] = []
        var start = 0
        while start < count {
            let end = Swift.min(count, start + size)
            out.append(try batch(Array(start..<end)))
            start = end
        }
        return out
    }

    /// All samples as one tensor.
    public var allInputs: Tensor {
        get throws { try Tensor(shape: [count] + sampleShape, scalars: inputs) }
    }
}
