import EqxData
import Foundation

/// How a sweep runs its units: SLURM array jobs or processes on this machine.
public enum Backend: String, Codable, Sendable {
    case slurm, local
}

/// A sweep's record in its run directory (`cluster/plan.json`): enough for a unit on any node to rebuild
/// the run's executor, and for `eqx status`/`eqx cancel` to find the jobs.
public struct SweepPlan: Codable, Sendable {
    public struct PlannedUnit: Codable, Sendable, Equatable {
        public var index: Int
        public var label: String
        public var dependencies: [Int]
    }
    /// One `sbatch` (or one local pool run): which units it ran, under which job id.
    public struct Submission: Codable, Sendable {
        public var jobID: String
        public var units: [Int]
        public var collect: Bool
        public var submitted: Date
    }
    public var runID: String
    public var script: String
    public var scriptName: String
    public var scriptDirectory: String
    public var outputDirectory: String?
    public var runsRoot: String
    public var threads: Int
    /// Whether units continue interrupted trainings from their partial checkpoints (`--resume`).
    public var resumesTrainings: Bool
    public var backend: Backend
    public var units: [PlannedUnit]
    public var submissions: [Submission] = []

    /// The job that ran `unit` most recently (`123_4` for task 4 of array job 123), if any.
    public func job(of unit: Int) -> String? {
        guard let s = submissions.last(where: { !$0.collect && $0.units.contains(unit) }) else { return nil }
        return backend == .slurm ? "\(s.jobID)_\(unit)" : s.jobID
    }

    public var collectJob: String? { submissions.last(where: \.collect)?.jobID }
}

/// Where a sweep keeps its files inside the run directory. Every unit writes only its own files, each
/// atomically, so the directory may be shared by nodes over a network filesystem.
public struct SweepLayout: Sendable {
    public let run: URL
    public init(run: URL) { self.run = run }
    public var cluster: URL { run.appendingPathComponent("cluster") }
    public var plan: URL { cluster.appendingPathComponent("plan.json") }
    public var logs: URL { cluster.appendingPathComponent("logs") }
    public func results(_ unit: Int) -> URL { cluster.appendingPathComponent("units/\(unit).results.json") }
    public func state(_ unit: Int) -> URL { cluster.appendingPathComponent("units/\(unit).state.json") }
    public func progress(_ unit: Int) -> URL { cluster.appendingPathComponent("units/\(unit).progress") }
    public var collectState: URL { cluster.appendingPathComponent("collect.state.json") }
    /// The log of one attempt at a unit (`%a`/`%A` are SLURM's array task and array job id).
    public func log(unit: String, job: String) -> URL { logs.appendingPathComponent("unit-\(unit).\(job).out") }
    public func collectLog(job: String) -> URL { logs.appendingPathComponent("collect.\(job).out") }

    public func readPlan() throws -> SweepPlan {
        guard FileManager.default.fileExists(atPath: plan.path) else {
            throw ClusterError("\(run.path) is not a sweep's run directory: it has no cluster/plan.json (made by `eqx run --slurm` or `--jobs`)")
        }
        return try Self.decode(SweepPlan.self, from: plan)
    }

    public func write(_ plan: SweepPlan) throws { try Self.write(plan, to: self.plan) }
    public func write(_ record: UnitRecord, unit: Int) throws { try Self.write(record, to: state(unit)) }

    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .secondsSince1970
        try AtomicFile.write(try encoder.encode(value), to: url)
    }

    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
        guard size <= 64 << 20 else { throw ClusterError("\(url.path) is \(size) bytes, too large for a sweep file") }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(type, from: Data(contentsOf: url))
        } catch {
            throw ClusterError("\(url.path) is damaged: \(error)")
        }
    }

    /// A file that may be absent or half-written by a unit killed at the wrong moment: nil then.
    static func optional<T: Decodable>(_ type: T.Type, from url: URL) -> T? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try? decode(type, from: url)
    }
}

/// What a unit process last said about itself (`units/N.state.json`).
public struct UnitRecord: Codable, Sendable {
    /// `cancelled` is written by `eqx cancel` for a unit that had not started.
    public enum State: String, Codable, Sendable { case running, done, failed, cancelled }
    public var state: State
    public var host: String
    public var pid: Int32
    public var job: String?
    public var started: Date
    public var finished: Date?
    /// The error of a failed unit, as eqx reported it.
    public var error: String?

    public init(state: State, host: String, pid: Int32, job: String?, started: Date, finished: Date?, error: String?) {
        self.state = state; self.host = host; self.pid = pid; self.job = job
        self.started = started; self.finished = finished; self.error = error
    }
}

/// The collecting job's outcome (`collect.state.json`).
public struct CollectRecord: Codable, Sendable {
    public var complete: Bool
    public var missing: [Int]
    public var finished: Date
}

public struct ClusterError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
