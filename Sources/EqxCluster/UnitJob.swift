import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation

/// What runs inside a SLURM array task or a local pool process: one unit, or the collecting of all of them.
public enum UnitJob {
    /// The executor a unit uses: the run's `operative.eqx`, checked against the script's directory, with
    /// the options of the submitting `eqx run` (same threads, cache and run directory).
    public static func executor(_ layout: SweepLayout, plan: SweepPlan, observer: @escaping (RunEvent) -> Void = { _ in },
                                shouldStop: @escaping () -> Bool = { false }) throws -> (Executor, UnitGraph) {
        let operative = layout.run.appendingPathComponent("operative.eqx")
        guard let data = FileManager.default.contents(atPath: operative.path) else {
            throw ClusterError("\(operative.path) is missing: this node does not see the run directory (it must be on a filesystem all nodes share)")
        }
        let directory = URL(fileURLWithPath: plan.scriptDirectory)
        let checked = Pipeline.check(SourceFile(name: operative.path, bytes: Array(data)), baseDirectory: directory)
        guard let program = checked.program, !checked.hasErrors else {
            throw ClusterError("\(operative.path) no longer checks: \(checked.diagnostics.map(\.message).joined(separator: "; "))")
        }
        let options = RunOptions(scriptName: plan.scriptName, scriptDirectory: directory,
                                 outputDirectory: plan.outputDirectory.map { URL(fileURLWithPath: $0) },
                                 runsRoot: URL(fileURLWithPath: plan.runsRoot), threads: plan.threads,
                                 resume: plan.resumesTrainings)
        let graph = UnitGraph(program)
        guard graph.units.map(\.label) == plan.units.map(\.label) else {
            throw ClusterError("the units of \(operative.path) differ from cluster/plan.json (was it made by another eqx version?)")
        }
        return (Executor(program: program, canonicalSource: checked.canonicalSource, options: options,
                         observer: observer, shouldStop: shouldStop), graph)
    }

    /// Runs unit `index` and stores its results; its state file says running, then done or failed.
    public static func run(_ layout: SweepLayout, unit index: Int, observer: @escaping (RunEvent) -> Void,
                           shouldStop: @escaping () -> Bool) throws {
        let plan = try layout.readPlan()
        guard plan.units.indices.contains(index) else {
            throw ClusterError("unit \(index) does not exist: the sweep has units 0–\(plan.units.count - 1)")
        }
        let env = ProcessInfo.processInfo.environment
        let job = env["SLURM_ARRAY_JOB_ID"].map { "\($0)_\(env["SLURM_ARRAY_TASK_ID"] ?? "?")" } ?? env["SLURM_JOB_ID"]
        var record = UnitRecord(state: .running, host: ProcessInfo.processInfo.hostName, pid: getpid(), job: job,
                                started: Date(), finished: nil, error: nil)
        try SweepLayout.write(record, to: layout.state(index))
        do {
            let progress = ProgressFile(layout.progress(index))
            let (executor, graph) = try executor(layout, plan: plan, observer: { event in
                progress.update(event)
                observer(event)
            }, shouldStop: shouldStop)
            let unit = graph.units[index]
            progress.total = (unit.imports + unit.steps).filter { i in
                switch executor.program.steps[i] {
                case .train, .merge: return true
                case .data, .report, .plot, .save, .summarize: return false
                }
            }.count
            try executor.prepare(claiming: false)
            guard executor.runID == plan.runID else {
                throw ClusterError("this node computes run id \(executor.runID), the sweep is \(plan.runID): its data or eqx differ from the submitting machine's")
            }
            let results = try executor.run(unit)
            try results.write(to: layout.results(index))
            record.state = .done
        } catch {
            record.state = .failed
            record.error = "\(error)"
        }
        record.finished = Date()
        try SweepLayout.write(record, to: layout.state(index))
        if record.state == .failed { throw UnitFailed(unit: index, message: record.error ?? "") }
    }

    /// Collects every unit's results into the run directory; returns the missing units.
    @discardableResult
    public static func collect(_ layout: SweepLayout, observer: @escaping (RunEvent) -> Void = { _ in }) throws -> [Int] {
        let plan = try layout.readPlan()
        let (executor, graph) = try executor(layout, plan: plan, observer: observer)
        var results: [Int: UnitResults] = [:]
        for u in graph.units {
            guard let r = try? UnitResults.read(layout.results(u.index)), r.runID == plan.runID, r.unit == u.index, r.label == u.label
            else { continue }
            results[u.index] = r
        }
        let missing = try executor.collect(graph, results: results)
        try SweepLayout.write(CollectRecord(complete: missing.isEmpty, missing: missing, finished: Date()), to: layout.collectState)
        return missing
    }

    /// Units whose results are stored and belong to this run.
    public static func finished(_ layout: SweepLayout, plan: SweepPlan) -> Set<Int> {
        Set(plan.units.map(\.index).filter { i in
            guard let r = try? UnitResults.read(layout.results(i)) else { return false }
            return r.runID == plan.runID && r.unit == i && r.label == plan.units[i].label
        })
    }
}

public struct UnitFailed: Error, CustomStringConvertible {
    public var unit: Int
    public var message: String
    public var description: String { "unit \(unit) failed: \(message)" }
}

/// A unit's progress for `--wait` and `eqx status`: "fraction statement", rewritten at most once a second.
final class ProgressFile {
    let url: URL
    var total = 1
    private var done = 0
    private var statement = ""
    private var last = Date.distantPast
    init(_ url: URL) { self.url = url }

    func update(_ event: RunEvent) {
        switch event {
        case .statement(let s):
            if !statement.isEmpty { done += 1 }
            statement = s
            write(0)
        case .training(let p):
            guard Date().timeIntervalSince(last) >= 1 || p.step == p.totalSteps else { return }
            write(Double(p.step) / Double(max(1, p.totalSteps)))
        case .merging(let m):
            guard Date().timeIntervalSince(last) >= 1 || m.done == m.total else { return }
            write(Double(m.done) / Double(max(1, m.total)))
        case .started, .reused, .resumed, .table, .wrote, .note, .warning: break
        }
    }

    private func write(_ fraction: Double) {
        last = Date()
        let f = min(1, (Double(done) + fraction) / Double(max(1, total)))
        try? AtomicFile.write(String(format: "%.4f %@\n", f, statement), to: url)
    }
}
