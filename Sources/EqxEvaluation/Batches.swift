import EqxData
import EqxTensor

extension Dataset {
    /// Samples `indices` as a batch tensor [B, ...sampleShape] with their labels.
    public func batch(_ indices: [Int]) throws -> (inputs: Tensor, labels: [Int]) {
        try ScalarDataset<Float>(self).batch(indices)
    }

    /// Consecutive batches of at most `size` samples, in order (for evaluation).
    public func sequentialBatches(size: Int) throws -> [(inputs: Tensor, labels: [Int])] {
        try ScalarDataset<Float>(self).sequentialBatches(size: size)
    }

    /// All samples as one tensor.
    public var allInputs: Tensor {
        get throws { try ScalarDataset<Float>(self).allInputs }
    }
}

/// A dataset's inputs in a network's precision, converted once (Float32 data shares the dataset's
/// storage; Float64 data is the exact widening of it).
public struct ScalarDataset<Scalar: TensorScalar> {
    public let dataset: Dataset
    public let inputs: [Scalar]

    public init(_ dataset: Dataset) {
        self.dataset = dataset
        inputs = dataset.inputs as? [Scalar] ?? dataset.inputs.map { Scalar($0) }
    }

    public var count: Int { dataset.count }
    public var name: String { dataset.name }

    /// Samples `indices` as a batch tensor [B, ...sampleShape] with their labels.
    public func batch(_ indices: [Int]) throws -> (inputs: TensorOf<Scalar>, labels: [Int]) {
        let size = dataset.sampleSize
        var scalars = [Scalar](repeating: 0, count: indices.count * size)
        var labels = [Int](repeating: 0, count: indices.count)
        try inputs.withUnsafeBufferPointer { src in
            try scalars.withUnsafeMutableBufferPointer { dst in
                for (row, i) in indices.enumerated() {
                    guard i >= 0, i < count else {
                        throw TensorError.invalidArgument(op: "batch", message: "sample \(i) is outside '\(name)' (\(count) samples)")
                    }
                    (dst.baseAddress! + row * size).update(from: src.baseAddress! + i * size, count: size)
                    labels[row] = dataset.labels[i]
                }
            }
        }
        return (try TensorOf<Scalar>(shape: [indices.count] + dataset.sampleShape, scalars: scalars), labels)
    }

    /// Consecutive batches of at most `size` samples, in order (for evaluation).
    public func sequentialBatches(size: Int) throws -> [(inputs: TensorOf<Scalar>, labels: [Int])] {
        try Swift.stride(from: 0, to: count, by: max(1, size)).map { start in
            try batch(Array(start..<Swift.min(count, start + size)))
        }
    }

    /// All samples as one tensor.
    public var allInputs: TensorOf<Scalar> {
        get throws { try TensorOf<Scalar>(shape: [count] + dataset.sampleShape, scalars: inputs) }
    }
}
