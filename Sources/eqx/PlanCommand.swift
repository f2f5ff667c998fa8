import ArgumentParser
import EqxCluster
import EqxIR
import EqxRuntime
import Foundation

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the units a sweep would run (eqx run --jobs/--slurm), their dependencies and cache state; run nothing.")

    @ArgumentParser.Argument(help: "The script, or - for standard input.")
    var file: String

    @Option(help: "Threads per unit (part of the run id and the cache keys; default 1, as for --slurm).")
    var threads: Int = 1

    @Option(name: .customLong("out"), help: "The run directory, as given to eqx run.")
    var out: String?

    @Option(help: "Replace the script's seed, as eqx run --seed.")
    var seed: UInt64?

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let (source, directory) = try ScriptInput.read(file)
        let checked = Pipeline.check(source, baseDirectory: directory, seed: seed)
        DiagnosticPrinter.print(checked.diagnostics, file: source, format: .human)
        guard let operative = OperativeScript(checked) else {
            throw ExitCode(checked.missesInput ? Exit.missingInput : Exit.invalidScript)
        }
        let options = RunOptions(scriptName: ScriptInput.stem(file), scriptDirectory: directory,
                                 outputDirectory: out.map { URL(fileURLWithPath: $0) }, threads: threads)
        do {
            try PlanPrinter.print(operative, options: options)
        } catch let e as RuntimeError {
            Terminal.error(e.message)
            throw ExitCode(e.exitCode)
        }
    }
}

enum PlanPrinter {
    /// The units, what each runs, what it needs, and whether its trainings are cached or it already finished.
    static func print(_ operative: OperativeScript, options: RunOptions) throws {
        let executor = Executor(program: operative.program, canonicalSource: operative.source, options: options)
        let (runID, directory) = try executor.inspect()
        let graph = UnitGraph(operative.program)
        let layout = SweepLayout(run: directory)
        Swift.print("run \(runID) (\(options.threads) thread\(options.threads == 1 ? "" : "s") per unit) → \(directory.path)")
        Swift.print("\(graph.units.count) unit\(graph.units.count == 1 ? "" : "s"), \(graph.levels.count) level\(graph.levels.count == 1 ? "" : "s") of dependencies")
        let width = max(5, graph.units.map(\.label.count).max() ?? 5)
        for u in graph.units {
            let steps = u.steps.map { describe(operative.program.steps[$0]) }
            let needs = u.dependencies.isEmpty ? "-" : u.dependencies.map(String.init).joined(separator: ",")
            let states = executor.cacheStates(of: u)
            let cached = states.filter { $0.cached == true }.count
            var cache = states.isEmpty ? "no training" : "\(cached)/\(states.count) trainings cached"
            if states.contains(where: { $0.cached == nil }) { cache += " (the rest after their inputs)" }
            if let r = try? UnitResults.read(layout.results(u.index)), r.runID == runID, r.label == u.label { cache = "finished (results stored)" }
            Swift.print("  unit \(String(u.index).padding(toLength: 3, withPad: " ", startingAt: 0)) \(u.label.padding(toLength: width, withPad: " ", startingAt: 0))  needs \(needs)  \(cache)")
            Swift.print("      " + steps.joined(separator: ", "))
        }
        let summaries = graph.collectSteps.map { describe(operative.program.steps[$0]) }
        Swift.print("  collect (after all units)" + (summaries.isEmpty ? "" : ": " + summaries.joined(separator: ", ")))
    }

    static func describe(_ step: Step) -> String {
        switch step {
        case .data(let d): return "data \(d.id)"
        case .train(let t): return "train \(t.id)"
        case .merge(let m): return "merge \(m.id)"
        case .report(let r): return "report \(r.table)" + (r.row.map { " (\($0))" } ?? "")
        case .plot(let p): return "plot \(p.name)"
        case .save(let s): return "save \(s.path)"
        case .summarize(let t): return "summary of \(t)"
        }
    }
}
