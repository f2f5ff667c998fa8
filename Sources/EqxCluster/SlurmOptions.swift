import Foundation

/// What `eqx run --slurm` passes to every `sbatch`, with where each setting came from (for the message
/// when SLURM rejects one).
public struct SlurmOptions: Sendable {
    public struct Setting: Sendable, Equatable {
        /// The `sbatch` argument, e.g. `--partition=gpu`.
        public var argument: String
        /// `--partition` on the command line, or `.eqx/slurm.conf:3`.
        public var origin: String
        public init(argument: String, origin: String) { self.argument = argument; self.origin = origin }
    }
    public var partition: Setting?
    public var account: Setting?
    public var time: Setting?
    public var cpusPerTask: Int?
    public var cpusOrigin = "--cpus-per-task"
    public var memory: Setting?
    public var arrayLimit: Int?
    public var extra: [Setting] = []

    public init() {}

    /// The user's settings as `sbatch` arguments (cpus per task as given or the thread count).
    public func arguments(threads: Int) -> [Setting] {
        [partition, account, time, memory].compactMap { $0 }
            + [Setting(argument: "--cpus-per-task=\(cpusPerTask ?? threads)", origin: cpusOrigin)] + extra
    }

    /// The per-project defaults file: `.eqx/slurm.conf` next to the script.
    public static func defaultsFile(scriptDirectory: URL) -> URL {
        scriptDirectory.appendingPathComponent(".eqx").appendingPathComponent("slurm.conf")
    }

    /// Reads `key = value` lines (`#` starts a comment): partition, account, time, cpus-per-task, mem,
    /// array-limit, and `sbatch` (repeatable, one argument each). Unknown keys and bad numbers are errors
    /// with file:line.
    public static func defaults(from url: URL) throws -> SlurmOptions {
        var o = SlurmOptions()
        guard FileManager.default.fileExists(atPath: url.path) else { return o }
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
        guard size <= 1 << 20, let data = FileManager.default.contents(atPath: url.path),
              let text = String(data: data, encoding: .utf8) else {
            throw ClusterError("\(url.path): not a text file of at most 1 MiB")
        }
        let name = ".eqx/slurm.conf"
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let origin = "\(name):\(n + 1)"
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw ClusterError("\(url.path):\(n + 1):1: expected `key = value`, got '\(trimmed)'")
            }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { throw ClusterError("\(url.path):\(n + 1): '\(key)' has no value") }
            func count() throws -> Int {
                guard let v = Int(value), v >= 1, v <= 1_000_000 else {
                    throw ClusterError("\(url.path):\(n + 1): \(key) must be a positive integer, got '\(value)'")
                }
                return v
            }
            switch key {
            case "partition": o.partition = Setting(argument: "--partition=\(value)", origin: origin)
            case "account": o.account = Setting(argument: "--account=\(value)", origin: origin)
            case "time": o.time = Setting(argument: "--time=\(value)", origin: origin)
            case "mem": o.memory = Setting(argument: "--mem=\(value)", origin: origin)
            case "cpus-per-task": o.cpusPerTask = try count(); o.cpusOrigin = origin
            case "array-limit": o.arrayLimit = try count()
            case "sbatch": o.extra.append(Setting(argument: value, origin: origin))
            default:
                throw ClusterError("\(url.path):\(n + 1):1: unknown key '\(key)' (keys: partition, account, time, cpus-per-task, mem, array-limit, sbatch)")
            }
        }
        return o
    }

    /// `other`'s settings where it has them (the command line over the defaults file); extra arguments add up.
    public func overridden(by other: SlurmOptions) -> SlurmOptions {
        var o = self
        o.partition = other.partition ?? partition
        o.account = other.account ?? account
        o.time = other.time ?? time
        o.memory = other.memory ?? memory
        if let c = other.cpusPerTask { o.cpusPerTask = c; o.cpusOrigin = other.cpusOrigin }
        o.arrayLimit = other.arrayLimit ?? arrayLimit
        o.extra = extra + other.extra
        return o
    }
}
