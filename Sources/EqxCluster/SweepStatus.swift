import EqxRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where one unit stands, from its own files and the scheduler.
public struct UnitStatus: Sendable {
    public enum State: String, Sendable {
        /// Never submitted (a `--resume` that skipped it, or not yet reached by the local pool).
        case waiting
        case pending, running, done, failed
        /// Cancelled (`eqx cancel`, `scancel`), or not run because a unit it needs failed.
        case cancelled
        /// Killed by the scheduler: time limit, memory, node failure.
        case killed
        /// Its job is gone without a word from the unit.
        case lost
    }
    public var index: Int
    public var label: String
    public var state: State
    public var job: String?
    public var log: URL?
    /// 0…1 while running, from the unit's progress file.
    public var progress: Double?
    public var statement: String?
    /// Why it failed, was killed or waits.
    public var detail: String?
    /// The last lines of the unit's log, for failures.
    public var logTail: [String] = []
    public var started: Date?
    public var finished: Date?
}

/// A sweep's state: every unit, and whether the collected run is complete.
public struct SweepStatus: Sendable {
    public var plan: SweepPlan
    public var units: [UnitStatus]
    public var collect: CollectRecord?
    /// The collecting job is queued or running.
    public var collecting: Bool

    public func count(_ s: UnitStatus.State) -> Int { units.filter { $0.state == s }.count }
    public var unfinished: [UnitStatus] { units.filter { $0.state != .done } }
    /// Nothing is queued or running any more.
    public var settled: Bool {
        !collecting && !units.contains { $0.state == .pending || $0.state == .running }
    }

    /// The running unit furthest from finishing.
    public var slowest: UnitStatus? {
        units.filter { $0.state == .running }.min { ($0.progress ?? 0) < ($1.progress ?? 0) }
    }

    /// Seconds until all units are done: the running ones extrapolated from their progress, the ones
    /// still waiting at the mean duration of finished or extrapolated units, as many at once as run now.
    public func secondsRemaining(now: Date = Date()) -> Double? {
        let running = units.filter { $0.state == .running }
        var durations = units.compactMap { u -> Double? in
            guard u.state == .done, let s = u.started, let f = u.finished else { return nil }
            return f.timeIntervalSince(s)
        }
        var longest = 0.0
        for u in running {
            guard let p = u.progress, p > 0.02, let s = u.started else { continue }
            let total = now.timeIntervalSince(s) / p
            durations.append(total)
            longest = max(longest, total * (1 - p))
        }
        let waiting = count(.pending) + count(.waiting)
        guard !durations.isEmpty else { return waiting + running.count == 0 ? 0 : nil }
        let mean = durations.reduce(0, +) / Double(durations.count)
        let parallel = Double(max(1, running.count))
        return longest + (Double(waiting) / parallel).rounded(.up) * mean
    }

    public static func read(_ layout: SweepLayout, slurm: Slurm?) throws -> SweepStatus {
        let plan = try layout.readPlan()
        let finished = UnitJob.finished(layout, plan: plan)
        let queued: [String: (state: String, reason: String)] =
            plan.backend == .slurm ? (slurm?.queue(Array(Set(plan.submissions.map(\.jobID))).sorted()) ?? [:]) : [:]
        var units: [UnitStatus] = []
        for u in plan.units {
            let record = SweepLayout.optional(UnitRecord.self, from: layout.state(u.index))
            let job = plan.job(of: u.index)
            let submission = plan.submissions.last { !$0.collect && $0.units.contains(u.index) }
            var s = UnitStatus(index: u.index, label: u.label, state: .waiting, job: job,
                               log: submission.map { layout.log(unit: "\(u.index)", job: $0.jobID) },
                               started: record?.started, finished: record?.finished)
            if let (fraction, statement) = progress(layout.progress(u.index)) { s.progress = fraction; s.statement = statement }
            if finished.contains(u.index) {
                s.state = .done
            } else if let job, let q = queued[job] {
                switch q.state {
                case "PENDING", "CONFIGURING", "REQUEUED", "RESIZING", "SUSPENDED":
                    s.state = .pending
                    s.detail = q.reason == "Dependency" ? "waiting for unit\(u.dependencies.count == 1 ? "" : "s") \(u.dependencies.map(String.init).joined(separator: ", "))" : q.reason
                default:
                    s.state = .running
                }
            } else if let record, record.state == .running, plan.backend == .local, record.host == ProcessInfo.processInfo.hostName,
                      kill(record.pid, 0) == 0 {
                s.state = .running
            } else if plan.backend == .local && record == nil {
                s.state = .waiting   // the pool has not started it (yet)
            } else if submission != nil {
                explainEnd(&s, record: record, plan: plan, run: layout.run, slurm: slurm)
            }
            units.append(s)
        }
        let collecting = plan.collectJob.map { job in queued.keys.contains { $0 == job } } ?? false
        let collect = SweepLayout.optional(CollectRecord.self, from: layout.collectState)
        return SweepStatus(plan: plan, units: units, collect: collect, collecting: collecting)
    }

    /// A unit whose job has ended without results: what SLURM and the unit's log say happened.
    private static func explainEnd(_ s: inout UnitStatus, record: UnitRecord?, plan: SweepPlan, run: URL, slurm: Slurm?) {
        let log = s.log.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
        s.logTail = Array(log.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(6))
        let ending = plan.backend == .slurm ? s.job.flatMap { slurm?.ending(of: $0) } : nil
        let state = ending?.state ?? ""
        if let record, record.state == .cancelled {
            s.state = .cancelled; s.detail = record.error
        } else if state == "TIMEOUT" || log.contains("DUE TO TIME LIMIT") {
            s.state = .killed; s.detail = "killed by SLURM: time limit reached (raise --time)"
        } else if state == "OUT_OF_MEMORY" || log.range(of: "oom-kill|out of memory|Exceeded job memory", options: [.regularExpression, .caseInsensitive]) != nil {
            s.state = .killed; s.detail = "killed by SLURM: out of memory (raise --mem)"
        } else if state == "NODE_FAIL" || state == "BOOT_FAIL" || state == "PREEMPTED" || state == "DEADLINE" {
            s.state = .killed; s.detail = "killed by SLURM: \(state.lowercased().replacingOccurrences(of: "_", with: " "))"
        } else if state == "CANCELLED" || log.contains("CANCELLED AT") {
            s.state = .cancelled
            if record == nil {
                s.detail = ending?.reason == "DependencyNeverSatisfied"
                    ? "not run: a unit it depends on did not finish" : "cancelled before it started"
            } else {
                s.detail = "cancelled while running (scancel or eqx cancel)"
            }
        } else if let record, record.state == .failed {
            s.state = record.error?.hasPrefix("not run:") == true ? .cancelled : .failed
            s.detail = record.error
        } else if record == nil {
            s.state = .lost
            s.detail = "its job ended but the unit never wrote to the run directory: is \(run.path) on a filesystem every node sees?"
                + (state.isEmpty ? "" : " (SLURM: \(state))")
        } else {
            s.state = .lost
            s.detail = "the unit stopped without a word" + (state.isEmpty ? " (killed?)" : " (SLURM: \(state) \(ending?.reason ?? ""))")
        }
        if let record, record.state == .failed, s.state != .failed, let e = record.error { s.detail! += "; eqx said: \(e)" }
    }

    private static func progress(_ url: URL) -> (Double, String)? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1)
        guard let f = parts.first.flatMap({ Double($0) }), f.isFinite, f >= 0, f <= 1 else { return nil }
        return (f, parts.count > 1 ? String(parts[1]) : "")
    }
}
