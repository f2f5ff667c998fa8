import Crypto
import Foundation

/// A labelled classification dataset held as plain arrays (no tensor runtime).
///
/// `inputs` is `count × sampleShape.product` float32 values, row-major: sample `i` occupies
/// `inputs[i * sampleSize ..< (i + 1) * sampleSize]`. Images are `[C, H, W]`, vectors `[n]`,
/// graphs (adjacency matrices) `[1, n, n]`.
public struct Dataset: Equatable, Sendable {
    public var name: String
    public let sampleShape: [Int]
    public let inputs: [Float]
    public let labels: [Int]
    public let classes: Int

    /// Validates that the arrays agree with the shape and that every label is in `0..<classes`.
    public init(name: String, sampleShape: [Int], inputs: [Float], labels: [Int], classes: Int) throws {
        guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }) else {
            throw DataError.invalidArgument("dataset '\(name)': sample shape \(sampleShape) must be non-empty with positive dimensions")
        }
        guard classes > 0 else {
            throw DataError.invalidArgument("dataset '\(name)': class count \(classes) must be positive")
        }
        let size = sampleShape.reduce(1, *)
        guard inputs.count == labels.count * size else {
            throw DataError.invalidArgument(
                "dataset '\(name)': \(inputs.count) input values do not fill \(labels.count) samples of shape \(sampleShape)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw DataError.invalidArgument(
                "dataset '\(name)': label \(labels[bad]) of sample \(bad) is out of range 0..<\(classes)")
        }
        self.init(unchecked: name, sampleShape: sampleShape, inputs: inputs, labels: labels, classes: classes)
    }

    /// For loaders and operations that have already validated their arrays.
    init(unchecked name: String, sampleShape: [Int], inputs: [Float], labels: [Int], classes: Int) {
        self.name = name
        self.sampleShape = sampleShape
        self.inputs = inputs
        self.labels = labels
        self.classes = classes
    }

    public var count: Int { labels.count }

    /// Number of values per sample (product of `sampleShape`).
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// The values of sample `index` (no copy of the whole dataset).
    public func sample(_ index: Int) -> ArraySlice<Float> {
        inputs[index * sampleSize ..< (index + 1) * sampleSize]
    }

    /// Number of samples of each class, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// SHA-256 (lowercase hex) of the content, independent of `name` and of the machine:
    /// the ASCII tag `eqx-dataset-v1`, then as little-endian Int64 the rank, each dimension, the
    /// count and the class count, then every input as its little-endian float32 bit pattern, then
    /// every label as little-endian Int64. Computed on demand (one pass over the data).
    public var fingerprint: String {
        var hasher = SHA256()
        hasher.update(data: Array("eqx-dataset-v1".utf8))
        var header: [Int64] = [Int64(sampleShape.count)] + sampleShape.map(Int64.init) + [Int64(count), Int64(classes)]
        for i in header.indices { header[i] = header[i].littleEndian }
        header.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        #if _endian(little)
        inputs.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        labels.map { Int64($0) }.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        #else
        inputs.map { $0.bitPattern.littleEndian }.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        labels.map { Int64($0).littleEndian }.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        #endif
        return Checksum.hex(hasher.finalize())
    }

    // MARK: Selections

    /// The samples in `range` (in order). Throws if the range leaves `0..<count`.
    public func subset(_ range: Range<Int>, name: String? = nil) throws -> Dataset {
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw DataError.invalidArgument("dataset '\(self.name)': range \(range) is outside 0..<\(count)")
        }
        let size = sampleSize
        return Dataset(unchecked: name ?? self.name, sampleShape: sampleShape,
                       inputs: Array(inputs[range.lowerBound * size ..< range.upperBound * size]),
                       labels: Array(labels[range]), classes: classes)
    }

    /// The samples at `indices`, in that order (repetitions allowed).
    public func subset(indices: [Int], name: String? = nil) throws -> Dataset {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw DataError.invalidArgument("dataset '\(self.name)': index \(bad) is outside 0..<\(count)")
        }
        let size = sampleSize
        var selected = [Float]()
        selected.reserveCapacity(indices.count * size)
        inputs.withUnsafeBufferPointer { source in
            for index in indices {
                selected.append(contentsOf: source[index * size ..< (index + 1) * size])
            }
        }
        return Dataset(unchecked: name ?? self.name, sampleShape: sampleShape, inputs: selected,
                       labels: indices.map { labels[$0] }, classes: classes)
    }

    /// The samples reordered so that sample `i` of the result is sample `permutation[i]` of self.
    /// The permutation comes from the caller's RNG; this module has none of its own.
    public func permuted(by permutation: [Int]) throws -> Dataset {
        try Dataset.checkPermutation(permutation, count: count, of: name)
        return try subset(indices: permutation)
    }

    /// Splits into `(train, test)`: the first `round(fraction × count)` samples of the permuted
    /// order go to train, the rest to test. With `permutation == nil` the stored order is used.
    public func split(fraction: Double, permutation: [Int]? = nil) throws -> (train: Dataset, test: Dataset) {
        guard fraction >= 0, fraction <= 1 else {
            throw DataError.invalidArgument("dataset '\(name)': split fraction \(fraction) is not in [0, 1]")
        }
        let order = permutation ?? Array(0..<count)
        try Dataset.checkPermutation(order, count: count, of: name)
        let cut = Int((fraction * Double(count)).rounded())
        return (try subset(indices: Array(order[..<cut]), name: "\(name)/train"),
                try subset(indices: Array(order[cut...]), name: "\(name)/test"))
    }

    /// One-hot targets, `count × classes`, row-major.
    public func oneHotTargets() -> [Float] {
        var targets = [Float](repeating: 0, count: count * classes)
        for (i, label) in labels.enumerated() { targets[i * classes + label] = 1 }
        return targets
    }

    static func checkPermutation(_ permutation: [Int], count: Int, of name: String) throws {
        guard permutation.count == count else {
            throw DataError.invalidArgument(
                "dataset '\(name)': permutation has \(permutation.count) entries for \(count) samples")
        }
        var seen = [Bool](repeating: false, count: count)
        for index in permutation {
            guard index >= 0, index < count, !seen[index] else {
                throw DataError.invalidArgument(
                    "dataset '\(name)': not a permutation of 0..<\(count) (entry \(index) repeated or out of range)")
            }
            seen[index] = true
        }
    }
}

extension Dataset {
    /// uint8 pixel values to floats in [0, 1]: `Float(v) / 255`, correctly rounded, as
    /// torchvision's `ToTensor` computes it.
    public static func unitScaled<C: Collection>(_ bytes: C) -> [Float] where C.Element == UInt8 {
        bytes.map { Float($0) / 255 }
    }
}
