import ArgumentParser
import EqxCluster
import Foundation

/// `eqx run` options for running a script's units apart: a local pool or SLURM array jobs.
struct SweepOptions: ParsableArguments {
    @Option(help: "Run the units as N processes at once on this machine (threads split between them).")
    var jobs: Int?

    @Flag(help: "Submit the units as SLURM array jobs and a collecting job; returns at once.")
    var slurm = false

    @Flag(help: "With --slurm: stay and show the sweep's progress until it is collected.")
    var wait = false

    @Flag(help: "Print the units, their dependencies and cache state (as `eqx plan`) and run nothing.")
    var dryRun = false

    @Option(help: "With --slurm: at most K array tasks at once (sbatch --array=…%K).")
    var arrayLimit: Int?

    @Option(help: "With --slurm: sbatch --partition.")
    var partition: String?

    @Option(help: "With --slurm: sbatch --account.")
    var account: String?

    @Option(help: "With --slurm: time limit per unit (sbatch --time, e.g. 30:00 or 1-00:00:00).")
    var time: String?

    @Option(help: "With --slurm: CPUs per unit, also its eqx thread count unless --threads is given.")
    var cpusPerTask: Int?

    @Option(help: "With --slurm: memory per unit (sbatch --mem, e.g. 4G).")
    var mem: String?

    @Option(name: .customLong("sbatch"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("With --slurm: one more sbatch argument (repeatable), e.g. --sbatch --qos=long.", valueName: "arg"))
    var sbatchArguments: [String] = []

    var isSweep: Bool { jobs != nil || slurm || dryRun }

    func validate(fresh: Bool) throws {
        if let j = jobs, j < 1 { throw ValidationError("--jobs must be at least 1") }
        if jobs != nil && slurm { throw ValidationError("--jobs runs the units here and --slurm on the cluster: give one of them") }
        if let k = arrayLimit, k < 1 { throw ValidationError("--array-limit must be at least 1") }
        if let c = cpusPerTask, c < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
        let slurmOnly: [(String, Bool)] = [("--wait", wait), ("--array-limit", arrayLimit != nil), ("--partition", partition != nil),
                                           ("--account", account != nil), ("--time", time != nil), ("--cpus-per-task", cpusPerTask != nil),
                                           ("--mem", mem != nil), ("--sbatch", !sbatchArguments.isEmpty)]
        if !slurm && !dryRun, let (name, _) = slurmOnly.first(where: { $0.1 }) {
            throw ValidationError("\(name) is an option of --slurm")
        }
        if fresh && isSweep {
            throw ValidationError("--fresh cannot be combined with --jobs or --slurm (units share the cache); delete the run's cache directory instead")
        }
    }

    /// The command line's SLURM settings (over the project's `.eqx/slurm.conf`).
    var slurmOptions: SlurmOptions {
        var o = SlurmOptions()
        func setting(_ name: String, _ value: String?) -> SlurmOptions.Setting? {
            value.map { .init(argument: "--\(name)=\($0)", origin: "--\(name)") }
        }
        o.partition = setting("partition", partition)
        o.account = setting("account", account)
        o.time = setting("time", time)
        o.memory = setting("mem", mem)
        o.cpusPerTask = cpusPerTask
        o.arrayLimit = arrayLimit
        o.extra = sbatchArguments.map { .init(argument: $0, origin: "--sbatch \($0)") }
        return o
    }
}
