import Foundation

/// The CIFAR-10 "binary version": each record is 1 label byte then 1024 red, 1024 green and
/// 1024 blue bytes (32×32, row-major). Samples become `[3, 32, 32]` scaled to [0, 1].
public enum CIFAR10 {
    public static let recordSize = 1 + 3 * 32 * 32
    public static let classes = 10
    public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFiles = ["test_batch.bin"]

    /// Loads and concatenates batch files in the given order.
    public static func load(files: [URL], name: String = "cifar10") throws -> Dataset {
        var inputs = [Float]()
        var labels = [Int]()
        for url in files {
            let file = try FileContent.read(url)
            let (count, fileLabels) = try records(file)
            inputs.reserveCapacity(inputs.count + count * (recordSize - 1))
            labels += fileLabels
            for offset in stride(from: 0, to: count * recordSize, by: recordSize) {
                inputs.append(contentsOf: Dataset.unitScaled(file.bytes[(offset + 1)..<(offset + recordSize)]))
            }
        }
        return Dataset(unchecked: name, sampleShape: [3, 32, 32], inputs: inputs, labels: labels, classes: classes)
    }

    /// Loads a split from a directory holding the batches directly or in the archive's
    /// `cifar-10-batches-bin/` subdirectory.
    public static func load(directory: URL, split: DataSplit) throws -> Dataset {
        try load(files: files(in: directory, split: split), name: "cifar10/\(split.rawValue)")
    }

    /// The batch files of a split (all must exist).
    public static func files(in directory: URL, split: DataSplit) throws -> [URL] {
        let names = split == .train ? trainFiles : testFiles
        for base in [directory, directory.appendingPathComponent("cifar-10-batches-bin")] {
            let urls = names.map { base.appendingPathComponent($0) }
            let present = urls.filter { FileManager.default.fileExists(atPath: $0.path) }
            if present.count == urls.count { return urls }
            if let missing = urls.first(where: { !present.contains($0) }), !present.isEmpty {
                throw DataError.missingFile(path: missing.path)
            }
        }
        throw DataError.missingFiles(directory: directory.path, tried: names)
    }

    /// Shape and count, reading every file (a `.gz` inflated within the memory budget) to check
    /// that it holds whole records with labels 0…9.
    public static func probe(files: [URL]) throws -> DataProbe {
        var total = 0
        for url in files {
            total += try records(FileContent.read(url)).count
        }
        try MemoryBudget.check(total * (recordSize - 1), itemSize: MemoryLayout<Float>.size,
                               file: files.last?.path ?? "cifar10", offset: 0, what: "\(total) CIFAR-10 images as floats")
        return DataProbe(sampleShape: [3, 32, 32], count: total, classes: classes)
    }

    /// The number of records in a batch file and their labels, each checked to be below 10.
    static func records(_ file: FileContent) throws -> (count: Int, labels: [Int]) {
        let count = try recordCount(byteCount: file.bytes.count, file: file.name)
        var labels = [Int]()
        labels.reserveCapacity(count)
        for offset in stride(from: 0, to: count * recordSize, by: recordSize) {
            let label = Int(file.bytes[offset])
            guard label < classes else {
                throw DataError.labelOutOfRange(file: file.name, offset: offset, label: label, classes: classes)
            }
            labels.append(label)
        }
        return (count, labels)
    }

    static func recordCount(byteCount: Int, file: String) throws -> Int {
        let remainder = byteCount % recordSize
        if remainder != 0 {
            throw DataError.truncated(file: file, offset: byteCount - remainder,
                                      needed: recordSize, available: remainder)
        }
        if byteCount == 0 {
            throw DataError.truncated(file: file, offset: 0, needed: recordSize, available: 0)
        }
        return byteCount / recordSize
    }
}
