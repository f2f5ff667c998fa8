import EqxData
import EqxGroups
import EqxSyntax
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining
import Foundation

/// The checker's view of data files, backed by the data module's header readers. Relative paths are
/// relative to the script's directory; named datasets are looked up on the search path.
public struct FileDataProbe: EqxIR.DataProbe {
    public let baseDirectory: URL
    public let searchPath: DataSearchPath
    /// False for checks of generated probe scripts (the REPL's queries), whose `load` names no real file.
    public let readsCheckpoints: Bool
    public init(baseDirectory: URL, searchPath: DataSearchPath = .standard(), readsCheckpoints: Bool = true) {
        self.baseDirectory = baseDirectory
        self.searchPath = searchPath
        self.readsCheckpoints = readsCheckpoints
    }

    public func probe(_ source: EqxIR.DataSource) throws -> DataShape {
        switch source {
        case .builtinDigits, .blockGraphs:
            return try BuiltinDataProbe().probe(source)
        case .idx, .cifar10, .npy, .npz, .csv, .named:
            let splits: (train: EqxData.DataSource, test: EqxData.DataSource?)
            do {
                splits = try DataResolver.sources(source, base: baseDirectory, searchPath: searchPath)
            } catch let missing as EqxData.DatasetNotFound {
                throw EqxIR.DatasetNotFound(name: missing.dataset.scriptName, searched: missing.searched.map(\.path),
                                            fetch: missing.dataset.fetchCommand)
            }
            let train = try UnreadableInput.classifying { try splits.train.probe() }
            let test = try UnreadableInput.classifying { try splits.test?.probe() }
            // Found only after loading otherwise: a test split whose samples do not fit the network.
            if let t = test, t.sampleShape != train.sampleShape {
                throw UnreadableInput(.malformed,
                    "the test split's samples have shape \(t.sampleShape), the training split's \(train.sampleShape)")
            }
            return DataShape(sampleShape: train.sampleShape, classes: max(train.classes, test?.classes ?? 0),
                             trainCount: train.count, testCount: test?.count)
        }
    }

    public func searchDirectories() -> [String] { searchPath.directories.map(\.path) }

    /// Reads the whole checkpoint (it is small next to data): its structure, and every float finite, as the
    /// executor's `load` checks them.
    public func checkpointShapes(_ path: String) throws -> [String: [Int]]? {
        guard readsCheckpoints else { return nil }
        let url = DataResolver.url(path, base: baseDirectory)
        let contents = try UnreadableInput.classifying { try SafeTensors.read(url) }
        for (_, tensor) in contents.tensors.sorted(by: { $0.key < $1.key }) where SafeTensor.floatTypes.contains(tensor.dtype) {
            _ = try UnreadableInput.classifying { try tensor.floats() }  // throws at the first non-finite value
        }
        return contents.tensors.mapValues(\.shape)
    }
}

/// A declared dataset, loaded and preprocessed: its splits.
public struct LoadedData {
    public var spec: DataSpec
    public var train: Dataset
    public var test: Dataset?

    /// The samples a `DataRef` names.
    public func resolve(_ ref: DataRef) throws -> Dataset {
        let base: Dataset
        switch ref.split {
        case .train: base = train
        case .test:
            guard let t = test else { throw RuntimeError("data '\(spec.id)' has no test split") }
            base = t
        case .all:
            base = try test.map { try train.concatenated(with: $0) } ?? train
        }
        guard let r = ref.range else { return base }
        guard r.upperBound <= base.count else {
            throw RuntimeError("\(ref) asks for samples up to \(r.upperBound - 1), but it has \(base.count)")
        }
        return try base.subset(r, name: ref.description)
    }
}

extension Dataset {
    func concatenated(with other: Dataset) throws -> Dataset {
        try Dataset(name: name, sampleShape: sampleShape, inputs: inputs + other.inputs, labels: labels + other.labels,
                    classes: max(classes, other.classes))
    }
}

enum DataResolver {
    static func url(_ path: String, base: URL) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : base.appendingPathComponent(expanded)
    }

    /// Data-module sources for the train and test split of a declared source (test is nil when the
    /// source has no split of its own).
    static func sources(_ source: EqxIR.DataSource, base: URL, searchPath: DataSearchPath)
        throws -> (train: EqxData.DataSource, test: EqxData.DataSource?) {
        switch source {
        case .named(let name):
            let (dataset, dir) = try locate(name, searchPath: searchPath)
            switch dataset {
            case .mnist, .fashionMNIST:
                return (.idxDirectory(dir, split: .train, classes: 10), .idxDirectory(dir, split: .test, classes: 10))
            case .cifar10:
                return (.cifar10Directory(dir, split: .train), .cifar10Directory(dir, split: .test))
            }
        case .builtinDigits:
            return (.digits(.train), .digits(.test))
        case .idx(let path):
            let dir = url(path, base: base)
            return (.idxDirectory(dir, split: .train, classes: 10), .idxDirectory(dir, split: .test, classes: 10))
        case .cifar10(let path):
            let dir = url(path, base: base)
            return (.cifar10Directory(dir, split: .train), .cifar10Directory(dir, split: .test))
        case .npy(let inputs, let labels):
            return (.npy(inputs: url(inputs, base: base), labels: url(labels, base: base), classes: nil), nil)
        case .npz(let path, let inputs, let labels):
            return (.npz(url(path, base: base), inputs: inputs, labels: labels, classes: nil), nil)
        case .csv(let path, let label):
            var options = CSVOptions()
            options.label = label == "last" ? .last : Int(label).map { .index($0) } ?? .name(label)
            options.hasHeader = Int(label) == nil && label != "last"
            return (.csv(url(path, base: base), options: options), nil)
        case .blockGraphs:
            throw RuntimeError("generated data has no file source")
        }
    }

    /// The dataset a script names and the directory it is in.
    static func locate(_ name: String, searchPath: DataSearchPath) throws -> (NamedDataset, URL) {
        guard let dataset = NamedDataset(scriptName: name) else {
            throw RuntimeError("unknown dataset '\(name)'", exitCode: 66)
        }
        return (dataset, try searchPath.require(dataset))
    }

    /// Loads, splits and preprocesses one `data` statement. A named dataset is verified against its
    /// published checksums first.
    static func load(_ spec: DataSpec, base: URL, seed: UInt64,
                     searchPath: DataSearchPath = .standard()) throws -> LoadedData {
        if case .named(let name) = spec.source {
            do {
                let (dataset, dir) = try locate(name, searchPath: searchPath)
                try dataset.verify(in: dir)
            } catch let e as EqxData.DatasetNotFound {
                throw RuntimeError("cannot load data '\(spec.id)': \(e)", range: spec.range, exitCode: 66)
            } catch let e as DatasetCorrupt {
                throw RuntimeError("cannot load data '\(spec.id)': \(e)", range: spec.range, exitCode: 66)
            }
        }
        var train: Dataset
        var test: Dataset?
        switch spec.source {
        case let .blockGraphs(count, block, inside, across):
            var rng = StreamGenerator(stream: RandomStream(seed: seed, name: "data/generate/\(spec.id)"))
            train = try StochasticBlockModel(count: count, blockSizes: [block, block], p: inside, q: across)
                .generate(using: &rng, name: spec.id)
        default:
            let s = try sources(spec.source, base: base, searchPath: searchPath)
            train = try s.train.load()
            test = try s.test?.load()
        }
        if let f = spec.trainFraction {
            var rng = RandomStream(seed: seed, name: "data/split/\(spec.id)")
            let parts = try train.split(fraction: f, permutation: rng.permutation(train.count))
            train = parts.train; test = parts.test
        }
        for t in spec.transforms {
            switch t {
            case .resize(let h, let w, let kind):
                let method: ResizeMethod
                switch kind {
                case .bilinear: method = .bilinear
                case .area: method = .area
                }
                train = try train.resized(height: h, width: w, method: method)
                test = try test?.resized(height: h, width: w, method: method)
            case .normalize(let mean, let std):
                let stats: ChannelStatistics
                if let m = mean, let s = std {
                    let c = train.channelCount
                    stats = ChannelStatistics(mean: (0..<c).map { Float(m[min($0, m.count - 1)]) },
                                                      std: (0..<c).map { Float(s[min($0, s.count - 1)]) })
                } else {
                    var computed = train.channelStatistics()
                    if let m = mean { computed.mean = computed.mean.indices.map { Float(m[min($0, m.count - 1)]) } }
                    if let s = std { computed.std = computed.std.indices.map { Float(s[min($0, s.count - 1)]) } }
                    stats = computed
                }
                train = try train.normalized(by: stats)
                test = try test?.normalized(by: stats)
            case .limit(let n):
                train = try train.subset(0..<min(n, train.count))
                if let t = test { test = try t.subset(0..<min(n, t.count)) }
            case .augment(let g):
                train = try orbitClosure(train, group: g)
                test = try test.map { try orbitClosure($0, group: g) }
            }
        }
        train.name = "\(spec.id).train"
        test?.name = "\(spec.id).test"
        return LoadedData(spec: spec, train: train, test: test)
    }

    /// Every sample in all |G| transforms, grouped by element (all of e·x first, then g₁·x, …).
    static func orbitClosure(_ d: Dataset, group spec: GroupSpec) throws -> Dataset {
        let action = try spec.sampleAction(forInput: d.sampleShape)
        let labels = Array(repeating: d.labels, count: action.group.order).flatMap { $0 }
        return try Dataset(name: d.name, sampleShape: d.sampleShape, inputs: action.orbits(of: d.inputs), labels: labels,
                           classes: d.classes)
    }
}

/// A failure while running a checked program, optionally pointing at the statement.
public struct RuntimeError: Error, CustomStringConvertible {
    public var message: String
    public var range: SourceRange?
    /// The conventional exit status: 66 for missing or unreadable input, 70 otherwise.
    public var exitCode: Int32
    public init(_ message: String, range: SourceRange? = nil, exitCode: Int32 = 70) {
        self.message = message; self.range = range; self.exitCode = exitCode
    }
    public var description: String { message }
}


extension Dataset {
    /// Every sample moved by the same group element.
    func transformed(by action: SampleAction, element g: Int) throws -> Dataset {
        try Dataset(name: name, sampleShape: sampleShape, inputs: action.moving(inputs, by: g), labels: labels, classes: classes)
    }
}

extension UnreadableInput {
    /// Runs a loader, telling the checker whether a data error means "not there" or "there but unusable".
    static func classifying<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DataError {
            switch error {
            case .missingFile, .missingFiles, .io:
                throw UnreadableInput(.missing, error.description)
            case .missingMember, .badMagic, .truncated, .labelOutOfRange, .countMismatch, .badCompressedStream, .unsupported,
                 .malformed, .nonFinite, .checksumMismatch, .download, .invalidArgument:
                throw UnreadableInput(.malformed, error.description)
            }
        }
    }
}
