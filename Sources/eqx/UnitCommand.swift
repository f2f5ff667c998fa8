import ArgumentParser
import EqxCluster
import Foundation

/// What a sweep's jobs run: `eqx unit RUNDIR N` runs unit N, `eqx unit RUNDIR collect` collects.
struct UnitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit", abstract: "Run one unit of a sweep, or collect its results (used by the sweep's jobs).",
        shouldDisplay: false)

    @ArgumentParser.Argument(help: "The sweep's run directory.")
    var directory: String

    @ArgumentParser.Argument(help: "A unit index, or collect.")
    var what: String

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let layout = SweepLayout(run: URL(fileURLWithPath: directory))
        // SIGTERM (scancel, a time limit) stops a training after its step and keeps a partial checkpoint.
        Interrupt.install()
        let progress = ProgressPrinter(quiet: false)
        do {
            if what == "collect" {
                let missing = try UnitJob.collect(layout, observer: progress.handle)
                progress.finish()
                if !missing.isEmpty {
                    Terminal.error("incomplete: no results from unit\(missing.count == 1 ? "" : "s") \(SweepDisplay.ranges(missing))")
                    throw ExitCode(Exit.runtimeFailure)
                }
            } else if let index = Int(what) {
                print("eqx unit \(index) on \(ProcessInfo.processInfo.hostName), pid \(getpid())")
                try UnitJob.run(layout, unit: index, observer: progress.handle, shouldStop: { Interrupt.requested })
                progress.finish()
            } else {
                throw ValidationError("expected a unit index or collect, got '\(what)'")
            }
        } catch let e as UnitFailed {
            progress.finish()
            Terminal.error(e.description)
            throw ExitCode(Exit.runtimeFailure)
        } catch let e as ClusterError {
            progress.finish()
            Terminal.error(e.message)
            throw ExitCode(Exit.runtimeFailure)
        }
    }
}
