import ArgumentParser
import EqxRuntime

/// The `eqx` command line. Libraries return values and diagnostics; this is where they are printed.
@main
struct EqxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eqx",
        abstract: "A declarative language for experiments on how neural networks encode symmetries.",
        discussion: """
        Exit codes: 0 ok, 64 usage, 65 invalid script, 66 missing input, 70 runtime failure, 73 run directory \
        in use by another eqx run, 74 I/O error, 130 interrupted.
        """,
        version: "eqx \(eqxVersion)",
        subcommands: [RunCommand.self, CheckCommand.self, FmtCommand.self, DumpASTCommand.self, DumpIRCommand.self, DataCommand.self, BenchCommand.self, ReplCommand.self,
                      PlanCommand.self, StatusCommand.self, CancelCommand.self, UnitCommand.self, OpenCommand.self]
    )
}

/// Exit statuses from sysexits.h, as documented in `eqx --help`.
enum Exit {
    static let usage: Int32 = 64
    static let invalidScript: Int32 = 65
    static let missingInput: Int32 = 66
    static let runtimeFailure: Int32 = 70
    static let ioError: Int32 = 74
    static let interrupted: Int32 = 130
}
