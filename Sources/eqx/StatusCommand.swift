import ArgumentParser
import EqxCluster
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every unit of a sweep (eqx run --slurm or --jobs): its state, job, log and, for a failure, why.",
        discussion: "Exits 0 when the run is collected and complete, 1 while it is not.")

    @ArgumentParser.Argument(help: "The sweep's run directory (printed by eqx run).")
    var directory: String

    func run() throws {
        let layout = SweepLayout(run: URL(fileURLWithPath: directory))
        do {
            let plan = try layout.readPlan()
            let slurm = plan.backend == .slurm ? try? Slurm.locate() : nil
            if plan.backend == .slurm && slurm == nil {
                Terminal.error("`squeue` is not on the PATH: states below come from the run directory only")
            }
            let status = try SweepStatus.read(layout, slurm: slurm)
            print(SweepDisplay.report(status), terminator: "")
            if status.collect?.complete != true { throw ExitCode(1) }
        } catch let e as ClusterError {
            Terminal.error(e.message)
            throw ExitCode(Exit.missingInput)
        }
    }
}
