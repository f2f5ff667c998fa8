import Foundation

/// NumPy `.npz` archives (`numpy.savez` / `savez_compressed`): a zip of `.npy` members.
public enum NPZ {
    /// Every array, keyed by member name without the `.npy` suffix.
    public static func read(_ url: URL) throws -> [String: NDArray] {
        let archive = try ZipArchive(bytes: FileContent.readRaw(url), file: url.path)
        var arrays: [String: NDArray] = [:]
        for entry in archive.entries where entry.name.hasSuffix(".npy") {
            arrays[key(entry.name)] = try NPY.parse(archive.extract(entry), file: "\(url.path)/\(entry.name)")
        }
        return arrays
    }

    /// One array by name (with or without `.npy`).
    public static func read(_ url: URL, array name: String) throws -> NDArray {
        try read(url, arrays: [name])[0]
    }

    /// Several arrays by name, reading the archive once.
    public static func read(_ url: URL, arrays names: [String]) throws -> [NDArray] {
        let archive = try ZipArchive(bytes: FileContent.readRaw(url), file: url.path)
        return try names.map { name in
            let entry = try find(name, in: archive)
            return try NPY.parse(archive.extract(entry), file: "\(url.path)/\(entry.name)")
        }
    }

    /// The array names in the archive, in archive order.
    public static func arrayNames(_ url: URL) throws -> [String] {
        try ZipArchive(bytes: FileContent.readRaw(url), file: url.path).entries
            .filter { $0.name.hasSuffix(".npy") }.map { key($0.name) }
    }

    private static func key(_ member: String) -> String {
        String(member.dropLast(4))
    }

    private static func find(_ name: String, in archive: ZipArchive) throws -> ZipArchive.Entry {
        let wanted = name.hasSuffix(".npy") ? name : name + ".npy"
        guard let entry = archive.entries.first(where: { $0.name == wanted }) else {
            throw DataError.missingMember(archive: archive.file, member: wanted, available: archive.entries.map(\.name))
        }
        return entry
    }
}

extension NDArray {
    /// Throws `nonFinite` naming the sample and byte offset of the first nan or ±inf (also a
    /// float64 too large for float32, which converts to ±inf).
    func checkFinite(sampleSize: Int) throws {
        guard let bad = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw DataError.nonFinite(file: source, offset: dataOffset + bad * itemSize,
                                  sample: bad / max(sampleSize, 1), value: values[bad])
    }
}

extension Dataset {
    /// A dataset from an inputs array `[N, …]` and a labels array `[N]` (or `[N, 1]`) of
    /// non-negative integers. Sample shapes: `[N, H, W]` → `[1, H, W]`, `[N]` → `[1]`, others as
    /// stored. `classes` defaults to the largest label + 1.
    public init(name: String, inputs: NDArray, labels: NDArray, classes: Int? = nil) throws {
        let (shape, labelValues) = try Dataset.arrayLayout(inputsShape: inputs.shape, source: inputs.source, labels: labels)
        try inputs.checkFinite(sampleSize: checkedProduct(shape) ?? 1)
        let classCount = classes ?? ((labelValues.max() ?? 0) + 1)
        if let bad = labelValues.firstIndex(where: { $0 >= classCount }) {
            throw DataError.labelOutOfRange(file: labels.source, offset: labels.dataOffset + bad * labels.itemSize,
                                            label: labelValues[bad], classes: classCount)
        }
        try self.init(name: name, sampleShape: shape, inputs: inputs.values, labels: labelValues, classes: classCount)
    }

    /// The sample shape for an inputs array of shape `inputsShape`, and the labels as integers.
    static func arrayLayout(inputsShape: [Int], source: String, labels: NDArray) throws -> (sampleShape: [Int], labels: [Int]) {
        guard let count = inputsShape.first else {
            throw DataError.invalidArgument("\(source): inputs must have a leading sample dimension, shape is []")
        }
        var shape = Array(inputsShape.dropFirst())
        if shape.isEmpty { shape = [1] }
        if shape.count == 2 { shape = [1] + shape }
        // Checked here, where the file is known: the dataset's own check could only name the dataset.
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw DataError.invalidArgument("\(source): inputs of shape \(inputsShape) have empty samples")
        }
        guard labels.shape == [count] || labels.shape == [count, 1] else {
            throw DataError.countMismatch(images: source, imageCount: count,
                                          labels: labels.source + " (shape \(labels.shape))", labelCount: labels.shape.first ?? 0)
        }
        var values = [Int]()
        values.reserveCapacity(count)
        for (i, value) in labels.values.enumerated() {
            guard value >= 0, value == value.rounded(), value < 16_777_216 else {
                throw DataError.malformed(file: labels.source, offset: labels.dataOffset + i * labels.itemSize,
                                          reason: "label \(value) of sample \(i) is not a non-negative integer")
            }
            values.append(Int(value))
        }
        return (shape, values)
    }

    /// A dataset from two arrays of an `.npz` archive.
    public static func load(npz url: URL, inputs: String = "x", labels: String = "y",
                            classes: Int? = nil, name: String? = nil) throws -> Dataset {
        let arrays = try NPZ.read(url, arrays: [inputs, labels])
        return try Dataset(name: name ?? url.deletingPathExtension().lastPathComponent,
                           inputs: arrays[0], labels: arrays[1], classes: classes)
    }

    /// A dataset from two `.npy` files.
    public static func load(npyInputs: URL, labels: URL, classes: Int? = nil, name: String? = nil) throws -> Dataset {
        try Dataset(name: name ?? npyInputs.deletingPathExtension().lastPathComponent,
                    inputs: NPY.read(npyInputs), labels: NPY.read(labels), classes: classes)
    }
}
