import Foundation

/// The datasets a script can name (`data d = mnist`), where eqx looks for them, and how it verifies
/// what it finds. The published checksums are the ones `eqx data get` checks (`DownloadPlan`), so a
/// file found on disk passes exactly the test a fresh download passes.
public enum NamedDataset: String, CaseIterable, Sendable {
    case mnist
    case fashionMNIST = "fashion_mnist"
    case cifar10

    /// The name a script uses.
    public var scriptName: String { rawValue }

    public init?(scriptName: String) {
        self.init(rawValue: scriptName)
    }

    /// Also accepts the download names (`fashion-mnist`).
    public init?(anyName: String) {
        self.init(rawValue: anyName.replacingOccurrences(of: "-", with: "_"))
    }

    public var downloadable: DownloadableDataset {
        switch self {
        case .mnist: return .mnist
        case .fashionMNIST: return .fashionMNIST
        case .cifar10: return .cifar10
        }
    }

    /// Sub-directory names tried in every search directory: the one `eqx data get` writes (and
    /// Debian's `dataset-fashion-mnist` uses) first.
    public var directoryNames: [String] {
        switch self {
        case .mnist: return ["mnist"]
        case .fashionMNIST: return ["fashion-mnist", "fashion_mnist"]
        case .cifar10: return ["cifar10", "cifar-10-batches-bin"]
        }
    }

    /// The command that fetches the dataset into the user cache.
    public var fetchCommand: String { "eqx data get \(downloadable.rawValue)" }

    /// The files that must all be present in a directory holding the dataset.
    func requiredFiles(in directory: URL) -> [URL]? {
        switch self {
        case .mnist, .fashionMNIST:
            var found: [URL] = []
            for split in [DataSplit.train, .test] {
                guard let (images, labels) = try? IDX.files(in: directory, split: split) else { return nil }
                found += [images, labels]
            }
            return found
        case .cifar10:
            var found: [URL] = []
            for split in [DataSplit.train, .test] {
                guard let files = try? CIFAR10.files(in: directory, split: split) else { return nil }
                found += files
            }
            return found
        }
    }

    /// Checks every file of the dataset in `directory`: the published MD5 of the decompressed IDX
    /// content (raw or gzip files alike) and the format (counts, labels). CIFAR-10's published checksum
    /// is of the archive that `eqx data get` does not keep, so its batches are checked by format:
    /// whole 3,073-byte records with labels below 10.
    public func verify(in directory: URL) throws {
        guard let files = requiredFiles(in: directory) else {
            throw DataError.missingFiles(directory: directory.path, tried: directoryNames)
        }
        switch self {
        case .mnist, .fashionMNIST:
            let plan = DownloadPlan.standard(downloadable)
            for file in files {
                let stem = file.lastPathComponent.replacingOccurrences(of: ".gz", with: "")
                    .replacingOccurrences(of: ".idx", with: "-idx")
                guard let remote = plan.files.first(where: { $0.name.hasPrefix(stem) }) else { continue }
                do {
                    try DatasetDownloader.verifyContent(FileContent.readRaw(file), as: remote, name: file.path)
                } catch let e as DataError {
                    throw DatasetCorrupt(dataset: self, directory: directory, reason: e)
                }
            }
        case .cifar10:
            for file in files {
                do {
                    try DatasetDownloader.checkBatch(FileContent.readRaw(file)[...], name: file.path)
                } catch let e as DataError {
                    throw DatasetCorrupt(dataset: self, directory: directory, reason: e)
                }
            }
        }
    }
}

/// Where named datasets are looked for, in order: each directory of `EQX_DATA` (colon-separated;
/// relative entries are relative to the working directory), the user cache that `eqx data get`
/// fills (`$XDG_CACHE_HOME/eqx`, else `~/.cache/eqx`), and Debian's `/usr/share/datasets` (or
/// `EQX_SYSTEM_DATA`, so a test can stand for a machine without Debian's dataset packages).
public struct DataSearchPath: Equatable, Sendable {
    public var directories: [URL]

    public init(directories: [URL]) {
        self.directories = directories
    }

    /// The path for this process's environment.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> DataSearchPath {
        var dirs: [URL] = []
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for entry in (environment["EQX_DATA"] ?? "").split(separator: ":") where !entry.isEmpty {
            let path = (String(entry) as NSString).expandingTildeInPath
            dirs.append(path.hasPrefix("/") ? URL(fileURLWithPath: path).standardized
                                            : cwd.appendingPathComponent(path).standardized)
        }
        dirs.append(userCache(environment: environment))
        dirs.append(URL(fileURLWithPath: environment["EQX_SYSTEM_DATA"] ?? "/usr/share/datasets"))
        return DataSearchPath(directories: dirs)
    }

    /// The directory `eqx data get` downloads into.
    public static func userCache(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("eqx")
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/eqx")
    }

    /// Every place a dataset could be, in search order.
    public func candidates(for dataset: NamedDataset) -> [URL] {
        directories.flatMap { dir in dataset.directoryNames.map { dir.appendingPathComponent($0) } }
    }

    /// The first candidate directory that holds all of the dataset's files, or nil.
    public func locate(_ dataset: NamedDataset) -> URL? {
        candidates(for: dataset).first { dataset.requiredFiles(in: $0) != nil }
    }

    /// Like `locate`, but throws a `DatasetNotFound` that says where eqx looked.
    public func require(_ dataset: NamedDataset) throws -> URL {
        guard let found = locate(dataset) else {
            throw DatasetNotFound(dataset: dataset, searched: candidates(for: dataset))
        }
        return found
    }
}

/// A named dataset is in none of the search directories.
public struct DatasetNotFound: Error, Equatable, CustomStringConvertible {
    public var dataset: NamedDataset
    public var searched: [URL]

    public var description: String {
        "dataset '\(dataset.scriptName)' not found; looked in \(searched.map(\.path).joined(separator: ", "))"
    }
}

/// A file of a named dataset exists but does not verify.
public struct DatasetCorrupt: Error, Equatable, CustomStringConvertible {
    public var dataset: NamedDataset
    /// Where the dataset was found.
    public var directory: URL
    public var reason: DataError

    public var description: String {
        "\(reason); fetch it again with `\(dataset.fetchCommand) --to \(directory.path)` "
            + "(it replaces the files that do not verify)"
    }
}
