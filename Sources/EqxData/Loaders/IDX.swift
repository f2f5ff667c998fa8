import Foundation

/// Which half of a dataset that ships pre-split.
public enum DataSplit: String, Sendable, CaseIterable {
    case train
    case test
}

/// The IDX format of MNIST and Fashion-MNIST: a big-endian header (magic `00 00 08 0D`, where
/// `08` means unsigned bytes and `D` is the number of dimensions, then D uint32 sizes), then the
/// raw bytes. Files may be gzip-compressed (detected by content, not by name).
public enum IDX {
    /// Images with magic 0x00000803 (`N × H × W` uint8).
    static let imageMagic: UInt32 = 0x0000_0803
    /// Labels with magic 0x00000801 (`N` uint8).
    static let labelMagic: UInt32 = 0x0000_0801

    /// Loads an image file and a label file. Images become `[1, H, W]` samples scaled to [0, 1].
    public static func load(images: URL, labels: URL, classes: Int = 10, name: String? = nil) throws -> Dataset {
        let (imageFile, count, height, width) = try readImages(images)
        let (labelFile, labelValues) = try readLabels(labels, classes: classes)
        guard labelValues.count == count else {
            throw DataError.countMismatch(images: imageFile.name, imageCount: count,
                                          labels: labelFile.name, labelCount: labelValues.count)
        }
        return Dataset(unchecked: name ?? images.deletingPathExtension().lastPathComponent,
                       sampleShape: [1, height, width],
                       inputs: Dataset.unitScaled(imageFile.bytes[16...]),
                       labels: labelValues, classes: classes)
    }

    /// The whole image file, exactly as long as its header declares (a `.gz` is inflated no further).
    static func readImages(_ url: URL) throws -> (file: FileContent, count: Int, height: Int, width: Int) {
        let (count, height, width, _) = try imageHeader(checkedAgainst: url)
        let file = try FileContent.read(url, maximum: 16 + count * height * width, reason: "its IDX header")
        try ByteReader(bytes: file.bytes, name: file.name).require(16, count * height * width)
        return (file, count, height, width)
    }

    /// The labels, each checked to be below `classes`.
    static func readLabels(_ url: URL, classes: Int) throws -> (file: FileContent, labels: [Int]) {
        let count = try labelHeader(checkedAgainst: url)
        let file = try FileContent.read(url, maximum: 8 + count, reason: "its IDX header")
        return (file, try readLabels(file, classes: classes))
    }

    /// Loads one split from a directory holding the standard file names
    /// (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-…`), raw or `.gz`, also
    /// with the `train-images.idx3-ubyte` spelling some mirrors use.
    public static func load(directory: URL, split: DataSplit, classes: Int = 10, name: String? = nil) throws -> Dataset {
        let (images, labels) = try files(in: directory, split: split)
        return try load(images: images, labels: labels, classes: classes,
                        name: name ?? "\(directory.lastPathComponent)/\(split.rawValue)")
    }

    /// The image and label files of a split in `directory`.
    public static func files(in directory: URL, split: DataSplit) throws -> (images: URL, labels: URL) {
        let prefix = split == .train ? "train" : "t10k"
        func find(_ kind: String, _ rank: Int) throws -> URL {
            let stems = ["\(prefix)-\(kind)-idx\(rank)-ubyte", "\(prefix)-\(kind).idx\(rank)-ubyte"]
            let candidates = stems.flatMap { [$0, $0 + ".gz"] }
            for candidate in candidates {
                let url = directory.appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
            throw DataError.missingFiles(directory: directory.path, tried: candidates)
        }
        return (try find("images", 3), try find("labels", 1))
    }

    /// Shape and count, from the image header checked against the file's size (a `.gz` is inflated,
    /// up to the declared size, to check it holds exactly that), and the labels checked.
    public static func probe(images: URL, labels: URL, classes: Int = 10) throws -> DataProbe {
        let (count, height, width, compressed) = try imageHeader(checkedAgainst: images)
        if compressed { _ = try readImages(images) }
        let labelValues = try readLabels(labels, classes: classes).labels
        guard labelValues.count == count else {
            throw DataError.countMismatch(images: images.path, imageCount: count, labels: labels.path, labelCount: labelValues.count)
        }
        return DataProbe(sampleShape: [1, height, width], count: count, classes: classes)
    }

    /// The image header of `url`, after checking that the file can hold the pixels it declares
    /// (and that they fit the memory budget, as bytes and as the floats they become).
    static func imageHeader(checkedAgainst url: URL) throws -> (count: Int, height: Int, width: Int, compressed: Bool) {
        let head = try FileContent.read(url, limit: 16)
        let (count, height, width) = try imageHeader(head.bytes, file: head.name)
        guard let pixels = checkedProduct([count, height, width]) else {
            throw DataError.malformed(file: head.name, offset: 4, reason: "\(count) images of \(height)×\(width) overflow")
        }
        try MemoryBudget.check(pixels, itemSize: MemoryLayout<Float>.size, file: head.name, offset: 4,
                               what: "\(count) images of \(height)×\(width) as floats")
        try head.checkDeclared(16 + pixels, offset: 4, start: 16, what: "\(count) images of \(height)×\(width)")
        return (count, height, width, head.compressed)
    }

    /// The label count of `url`, after checking that the file holds that many labels.
    static func labelHeader(checkedAgainst url: URL) throws -> Int {
        let head = try FileContent.read(url, limit: 8)
        let count = try labelHeader(head.bytes, file: head.name)
        try head.checkDeclared(8 + count, offset: 4, start: 8, what: "\(count) labels")
        return count
    }

    static func imageHeader(_ bytes: [UInt8], file: String) throws -> (count: Int, height: Int, width: Int) {
        let reader = ByteReader(bytes: bytes, name: file)
        try reader.require(0, 4)
        let magic = try reader.uint32BE(at: 0)
        guard magic == imageMagic else {
            throw DataError.badMagic(file: file, offset: 0, expected: hex(imageMagic) + " (IDX uint8 images, 3 dimensions)",
                                     found: hex(magic))
        }
        let count = Int(try reader.uint32BE(at: 4))
        let height = Int(try reader.uint32BE(at: 8))
        let width = Int(try reader.uint32BE(at: 12))
        guard height > 0, width > 0 else {
            throw DataError.malformed(file: file, offset: 8, reason: "image size \(height)×\(width) must be positive")
        }
        return (count, height, width)
    }

    static func labelHeader(_ bytes: [UInt8], file: String) throws -> Int {
        let reader = ByteReader(bytes: bytes, name: file)
        let magic = try reader.uint32BE(at: 0)
        guard magic == labelMagic else {
            throw DataError.badMagic(file: file, offset: 0, expected: hex(labelMagic) + " (IDX uint8 labels, 1 dimension)",
                                     found: hex(magic))
        }
        return Int(try reader.uint32BE(at: 4))
    }

    static func readLabels(_ file: FileContent, classes: Int) throws -> [Int] {
        let count = try labelHeader(file.bytes, file: file.name)
        try ByteReader(bytes: file.bytes, name: file.name).require(8, count)
        if file.bytes.count > 8 + count {
            throw DataError.malformed(file: file.name, offset: 8 + count,
                                      reason: "\(file.bytes.count - 8 - count) unexpected bytes after \(count) labels")
        }
        var labels = [Int]()
        labels.reserveCapacity(count)
        for offset in 8..<(8 + count) {
            let label = Int(file.bytes[offset])
            guard label < classes else {
                throw DataError.labelOutOfRange(file: file.name, offset: offset, label: label, classes: classes)
            }
            labels.append(label)
        }
        return labels
    }

    static func hex(_ value: UInt32) -> String {
        "0x" + String(repeating: "0", count: 8 - String(value, radix: 16).count) + String(value, radix: 16)
    }
}
