/// What the checker needs to know about a data source before anything is loaded.
public struct DataShape: Hashable, Sendable {
    public var sampleShape: [Int]
    public var classes: Int
    public var trainCount: Int?
    public var testCount: Int?
    public init(sampleShape: [Int], classes: Int, trainCount: Int?, testCount: Int?) {
        self.sampleShape = sampleShape; self.classes = classes; self.trainCount = trainCount; self.testCount = testCount
    }
}

/// Reads headers of data files for the checker. The front end never loads data itself; the driver
/// passes a probe backed by the data module (or a stub in tests).
public protocol DataProbe {
    /// Throws an error whose description names the file and what is wrong with it.
    func probe(_ source: DataSource) throws -> DataShape
    /// Where named datasets are looked for, in order (for messages).
    func searchDirectories() -> [String]
    /// The tensor shapes of a checkpoint (`load("f.safetensors", net)`), by key, after checking that the
    /// file is well formed and its values finite; nil when this probe cannot read files.
    func checkpointShapes(_ path: String) throws -> [String: [Int]]?
}

extension DataProbe {
    public func searchDirectories() -> [String] { [] }
    public func checkpointShapes(_ path: String) throws -> [String: [Int]]? { nil }
}

/// A named dataset is in none of the search directories: the checker reports it as E0803, so a test
/// runner can tell "not on this machine" from a broken script.
public struct DatasetNotFound: Error, CustomStringConvertible {
    public var name: String
    /// Every directory tried, in order.
    public var searched: [String]
    /// How to get it (`eqx data get mnist`).
    public var fetch: String
    public init(name: String, searched: [String], fetch: String) {
        self.name = name; self.searched = searched; self.fetch = fetch
    }
    public var description: String {
        "dataset '\(name)' not found; looked in \(searched.joined(separator: ", "))"
    }
}

/// A data file or checkpoint that exists but cannot be used, or one that is not there: the checker's help
/// line differs (check the path, or re-create the file), the error code does not.
public struct UnreadableInput: Error, CustomStringConvertible {
    public enum Reason: Sendable { case missing, malformed }
    public var reason: Reason
    public var description: String
    public init(_ reason: Reason, _ description: String) { self.reason = reason; self.description = description }
}

/// Knows the sources that need no file: the built-in digits and generated graphs.
public struct BuiltinDataProbe: DataProbe {
    public init() {}
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }
    public func probe(_ source: DataSource) throws -> DataShape {
        switch source {
        case .builtinDigits:
            return DataShape(sampleShape: [1, 8, 8], classes: 10, trainCount: 1397, testCount: 400)
        case .blockGraphs(let count, let blockSize, _, _):
            let n = 2 * blockSize
            return DataShape(sampleShape: [1, n, n], classes: 2, trainCount: nil, testCount: nil)
                .withCount(count)
        default:
            throw Unavailable(description: "no data probe for \(source)")
        }
    }
}

extension DataShape {
    /// A source without a fixed split: all samples count as training data until `split` divides them.
    func withCount(_ n: Int) -> DataShape {
        var s = self; s.trainCount = n; s.testCount = nil; return s
    }
}
