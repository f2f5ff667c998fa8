import EqxIR
import EqxRuntime
import Foundation

/// Starting a sweep: its run directory and plan, then its units on SLURM or in the local pool.
public struct Sweep {
    public let layout: SweepLayout
    public internal(set) var plan: SweepPlan
    public let graph: UnitGraph
    /// The units this submission runs (all of them, or with `--resume` those without results).
    public let todo: [Int]

    /// Creates the run directory (the same one `eqx run --threads T` would use) and the sweep's plan.
    /// With `resume`, the existing plan is kept and only units without results are to run.
    public init(program: Program, canonicalSource: String, options: RunOptions, script: String, backend: Backend,
                resume: Bool, slurm: Slurm?) throws {
        var o = options
        o.runsRoot = URL(fileURLWithPath: options.runsRoot.path).standardizedFileURL
        o.scriptDirectory = URL(fileURLWithPath: options.scriptDirectory.path).standardizedFileURL
        o.outputDirectory = options.outputDirectory.map { URL(fileURLWithPath: $0.path).standardizedFileURL }
        o.resume = resume
        let executor = Executor(program: program, canonicalSource: canonicalSource, options: o)
        try executor.prepare()
        executor.releaseRunDirectory()   // the units write beside each other; the collecting job claims it again
        let run = executor.runDirectory!
        layout = SweepLayout(run: run)
        graph = UnitGraph(program)
        let units = graph.units.map { SweepPlan.PlannedUnit(index: $0.index, label: $0.label, dependencies: $0.dependencies) }
        let fresh = SweepPlan(runID: executor.runID, script: URL(fileURLWithPath: script).standardizedFileURL.path,
                              scriptName: o.scriptName, scriptDirectory: o.scriptDirectory.path,
                              outputDirectory: o.outputDirectory?.path, runsRoot: o.runsRoot.path, threads: o.threads,
                              resumesTrainings: resume, backend: backend, units: units)
        let previous = FileManager.default.fileExists(atPath: layout.plan.path) ? try layout.readPlan() : nil
        if previous != nil {
            let status = try SweepStatus.read(layout, slurm: slurm)
            if let busy = status.units.first(where: { $0.state == .pending || $0.state == .running }) {
                throw ClusterError("unit \(busy.index) (\(busy.label)) of this run is still \(busy.state.rawValue)\(busy.job.map { " as job \($0)" } ?? ""); wait for it or `eqx cancel \(run.path)` first")
            }
            if status.collecting { throw ClusterError("the collecting job of this run is still queued or running; wait for it or `eqx cancel \(run.path)`") }
        }
        if resume, var previous {
            guard previous.units == units, previous.runID == fresh.runID else {
                throw ClusterError("\(run.path) holds a sweep of different units; run without --resume to start it again")
            }
            let done = UnitJob.finished(layout, plan: previous)
            previous.resumesTrainings = true
            previous.backend = backend
            previous.threads = o.threads
            plan = previous
            todo = units.map(\.index).filter { !done.contains($0) }
            for u in todo { for f in [layout.state(u), layout.progress(u)] { try? FileManager.default.removeItem(at: f) } }
        } else {
            try? FileManager.default.removeItem(at: layout.cluster.appendingPathComponent("units"))
            plan = fresh
            todo = units.map(\.index)
        }
        try? FileManager.default.removeItem(at: layout.collectState)
        try FileManager.default.createDirectory(at: layout.logs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: layout.cluster.appendingPathComponent("units"), withIntermediateDirectories: true)
        try layout.write(plan)
    }

    /// The shell command a job runs: this eqx binary on one unit (or `collect`).
    static func command(_ eqx: URL, _ layout: SweepLayout, _ what: String) -> String {
        "exec \(shellQuoted(eqx.path)) unit \(shellQuoted(layout.run.path)) \(what)"
    }

    /// Submits the units to run as SLURM array jobs, one per dependency level (`afterok` on the array tasks
    /// of their dependencies), and a collecting job (`afterany` on all of them). Returns at once.
    public mutating func submit(to slurm: Slurm, options: SlurmOptions, eqx: URL) throws -> [SweepPlan.Submission] {
        let settings = options.arguments(threads: plan.threads)
        try slurm.validate(settings)
        let todoSet = Set(todo)
        // Levels within what is submitted now: units whose dependencies are all finished start at once.
        var depth: [Int: Int] = [:]
        for i in todo {
            depth[i] = (graph.units[i].dependencies.filter(todoSet.contains).map { depth[$0]! + 1 }).max() ?? 0
        }
        let levels = (0..<((depth.values.max() ?? -1) + 1)).map { k in todo.filter { depth[$0] == k } }
        var submitted: [SweepPlan.Submission] = []
        var jobOfUnit: [Int: String] = [:]
        let name = "eqx-\(plan.scriptName)"
        for (k, level) in levels.enumerated() {
            let after = Set(level.flatMap { graph.units[$0].dependencies.compactMap { jobOfUnit[$0] } }).sorted()
            let id = try slurm.submit(units: level, after: after, settings: settings, arrayLimit: options.arrayLimit,
                                      name: "\(name)-\(k)", command: Self.command(eqx, layout, "\"$SLURM_ARRAY_TASK_ID\""),
                                      log: layout.logs.appendingPathComponent("unit-%a.%A.out").path)
            for u in level { jobOfUnit[u] = "\(id)_\(u)" }   // dependencies on single tasks: a failure blocks only its dependents
            let s = SweepPlan.Submission(jobID: id, units: level, collect: false, submitted: Date())
            submitted.append(s); plan.submissions.append(s)
            try layout.write(plan)
        }
        let collect = try slurm.submitCollect(after: submitted.map(\.jobID), settings: settings, name: "\(name)-collect",
                                              command: Self.command(eqx, layout, "collect"),
                                              log: layout.logs.appendingPathComponent("collect.%j.out").path)
        let c = SweepPlan.Submission(jobID: collect, units: [], collect: true, submitted: Date())
        submitted.append(c); plan.submissions.append(c)
        try layout.write(plan)
        return submitted
    }
}
