import Foundation

/// A file-based (or built-in) dataset, as a script names it. `probe()` answers shape, count and
/// classes cheaply for `eqx check`; `load()` reads everything.
public enum DataSource: Equatable, Sendable {
    /// The built-in digits; nil = all 1,797 samples.
    case digits(DataSplit?)
    /// An IDX image file and label file (raw or `.gz`).
    case idx(images: URL, labels: URL, classes: Int)
    /// A directory with the standard MNIST / Fashion-MNIST file names.
    case idxDirectory(URL, split: DataSplit, classes: Int)
    /// CIFAR-10 binary batch files, concatenated in order.
    case cifar10(files: [URL])
    /// A directory with `data_batch_1..5.bin` / `test_batch.bin` (or its `cifar-10-batches-bin/`).
    case cifar10Directory(URL, split: DataSplit)
    /// Two arrays of an `.npz` archive.
    case npz(URL, inputs: String, labels: String, classes: Int?)
    /// Two `.npy` files.
    case npy(inputs: URL, labels: URL, classes: Int?)
    /// A numeric CSV file.
    case csv(URL, options: CSVOptions)

    public func load() throws -> Dataset {
        switch self {
        case let .digits(split):
            return try split.map { try Digits.load(split: $0) } ?? Digits.load()
        case let .idx(images, labels, classes):
            return try IDX.load(images: images, labels: labels, classes: classes)
        case let .idxDirectory(directory, split, classes):
            return try IDX.load(directory: directory, split: split, classes: classes)
        case let .cifar10(files):
            return try CIFAR10.load(files: files)
        case let .cifar10Directory(directory, split):
            return try CIFAR10.load(directory: directory, split: split)
        case let .npz(url, inputs, labels, classes):
            return try Dataset.load(npz: url, inputs: inputs, labels: labels, classes: classes)
        case let .npy(inputs, labels, classes):
            return try Dataset.load(npyInputs: inputs, labels: labels, classes: classes)
        case let .csv(url, options):
            return try CSV.load(url, options: options)
        }
    }

    /// What reading costs, by format: IDX checks the image header against the file's size (a `.gz`
    /// is inflated up to the declared size) and reads the labels; CIFAR-10 reads every batch to
    /// check its records and labels; npy, npz and CSV hold floats, so they are loaded whole and every
    /// value is checked to be finite. Every size is checked against the memory budget first.
    public func probe() throws -> DataProbe {
        switch self {
        case let .digits(split):
            return Digits.probe(split: split)
        case let .idx(images, labels, classes):
            return try IDX.probe(images: images, labels: labels, classes: classes)
        case let .idxDirectory(directory, split, classes):
            let (images, labels) = try IDX.files(in: directory, split: split)
            return try IDX.probe(images: images, labels: labels, classes: classes)
        case let .cifar10(files):
            return try CIFAR10.probe(files: files)
        case let .cifar10Directory(directory, split):
            return try CIFAR10.probe(files: CIFAR10.files(in: directory, split: split))
        case .npz, .npy, .csv:
            // Float data: only reading every value finds a nan, a CRC error or a bad label.
            let data = try load()
            return DataProbe(sampleShape: data.sampleShape, count: data.count, classes: data.classes)
        }
    }
}
