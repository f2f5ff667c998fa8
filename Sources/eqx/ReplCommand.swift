import ArgumentParser
import EqxREPL
import Foundation

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Explore interactively: declare, train, merge and inspect; :save the session as a script.",
        discussion: """
        Statements accumulate into a script that is checked as a whole, like `eqx check`; an expression \
        prints its value. Type :help for the commands. Diagnostics point at <repl>:LINE:COL in the current \
        input, <repl#N>:LINE:COL in the N-th accepted input, and FILE:LINE:COL in a loaded script. History is \
        kept in $XDG_STATE_HOME/eqx/history (or ~/.eqx_history). When standard input is not a terminal, \
        statements are read without prompts and the first error ends eqx with a non-zero status.
        """)

    @ArgumentParser.Argument(help: "A script to :load first.")
    var file: String?

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Let save statements write checkpoints, and cache trainings under runs/repl/.")
    var writeFiles = false

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        var options = ReplOptions(writesFiles: writeFiles,
                                  color: isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        if let t = threads { options.threads = t }
        let status = ReplDriver.run(options: options, load: file)
        if status != 0 { throw ExitCode(status) }
    }
}
