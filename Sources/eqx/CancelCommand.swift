import ArgumentParser
import EqxCluster
import Foundation

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a SLURM sweep's units that are still queued or running, and its collecting job.",
        discussion: "Finished units keep their results; `eqx run FILE --slurm --resume` submits the others again.")

    @ArgumentParser.Argument(help: "The sweep's run directory (printed by eqx run --slurm).")
    var directory: String

    @Option(help: "Cancel only this unit (repeatable); the collecting job then still collects the others.")
    var unit: [Int] = []

    func run() throws {
        let layout = SweepLayout(run: URL(fileURLWithPath: directory))
        do {
            let plan = try layout.readPlan()
            guard plan.backend == .slurm else {
                throw ClusterError("this sweep runs in a local pool (--jobs); stop it with Ctrl-C in its terminal")
            }
            let slurm = try Slurm.locate()
            if let bad = unit.first(where: { !plan.units.indices.contains($0) }) {
                throw ClusterError("unit \(bad) does not exist: the sweep has units 0–\(plan.units.count - 1)")
            }
            var status = try SweepStatus.read(layout, slurm: slurm)
            var chosen = status.units.filter { (unit.isEmpty || unit.contains($0.index)) && ($0.state == .pending || $0.state == .running) }
            // A busy controller can miss a squeue answer, which reads as "not queued": ask again a few times
            // while a chosen unit has not finished, before saying there is nothing to cancel.
            for _ in 0..<5 where chosen.isEmpty
                && status.units.contains(where: { (unit.isEmpty || unit.contains($0.index)) && $0.state != .done }) {
                sleep(1)
                status = try SweepStatus.read(layout, slurm: slurm)
                chosen = status.units.filter { (unit.isEmpty || unit.contains($0.index)) && ($0.state == .pending || $0.state == .running) }
            }
            var jobs = chosen.compactMap(\.job)
            if unit.isEmpty, status.collecting, let c = plan.collectJob { jobs.append(c) }
            guard !jobs.isEmpty else { print("nothing to cancel: no unit is queued or running"); return }
            try slurm.cancel(jobs)
            // A task cancelled before it started leaves no trace in SLURM once it is gone: say so in its own file.
            for u in chosen where u.started == nil {
                let record = UnitRecord(state: .cancelled, host: ProcessInfo.processInfo.hostName, pid: 0, job: u.job, started: Date(),
                                        finished: Date(), error: "cancelled by eqx cancel before it started")
                try layout.write(record, unit: u.index)
            }
            for u in chosen { print("cancelled unit \(u.index) (\(u.label)), job \(u.job ?? "?")") }
            if unit.isEmpty, status.collecting { print("cancelled the collecting job \(plan.collectJob ?? "?")") }
        } catch let e as ClusterError {
            Terminal.error(e.message)
            throw ExitCode(Exit.runtimeFailure)
        }
    }
}
