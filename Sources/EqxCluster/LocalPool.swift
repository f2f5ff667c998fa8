import Foundation

/// The sweep's units as processes on this machine, `jobs` at once, each unit once its dependencies are
/// done: the same units, files and results as on SLURM, for a workstation without it.
public enum LocalPool {
    /// Runs the sweep's units; `tick` is called about once a second while they run. Returns the units
    /// that failed or could not run. Stops the running units (SIGTERM) and throws when `shouldStop` says so.
    public static func run(_ sweep: inout Sweep, jobs: Int, eqx: URL, tick: () -> Void, shouldStop: () -> Bool) throws -> [Int] {
        let id = "local\(Int(Date().timeIntervalSince1970))"
        sweep.plan.submissions.append(.init(jobID: id, units: sweep.todo, collect: false, submitted: Date()))
        try sweep.layout.write(sweep.plan)
        var done = Set(sweep.plan.units.map(\.index)).subtracting(sweep.todo)
        var failed = Set<Int>()
        var waiting = sweep.todo
        var running: [Int: Process] = [:]
        var lastTick = Date.distantPast
        while !waiting.isEmpty || !running.isEmpty {
            if shouldStop() {
                for p in running.values where p.isRunning { p.terminate() }
                for p in running.values { p.waitUntilExit() }
                throw ClusterError("interrupted; the units that finished are kept: `eqx run FILE --jobs N --resume` runs the others")
            }
            for (u, p) in running where !p.isRunning {
                running[u] = nil
                if p.terminationStatus == 0 { done.insert(u) } else { failed.insert(u) }
            }
            // Units that can no longer run: a dependency failed.
            for u in waiting where sweep.graph.units[u].dependencies.contains(where: failed.contains) {
                let needed = sweep.graph.units[u].dependencies.filter(failed.contains)
                let record = UnitRecord(state: .failed, host: ProcessInfo.processInfo.hostName, pid: 0, job: id, started: Date(),
                                        finished: Date(), error: "not run: unit \(needed.map(String.init).joined(separator: ", ")), which it needs, did not finish")
                try SweepLayout.write(record, to: sweep.layout.state(u))
                failed.insert(u)
            }
            waiting.removeAll(where: failed.contains)
            while running.count < jobs, let next = waiting.firstIndex(where: { sweep.graph.units[$0].dependencies.allSatisfy(done.contains) }) {
                let u = waiting.remove(at: next)
                running[u] = try start(u, eqx: eqx, layout: sweep.layout, log: sweep.layout.log(unit: "\(u)", job: id))
            }
            if Date().timeIntervalSince(lastTick) >= 1 { tick(); lastTick = Date() }
            usleep(100_000)
        }
        tick()
        return failed.sorted()
    }

    private static func start(_ unit: Int, eqx: URL, layout: SweepLayout, log: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let p = Process()
        p.executableURL = eqx
        p.arguments = ["unit", layout.run.path, "\(unit)"]
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }
}
