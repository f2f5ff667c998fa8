import ArgumentParser
import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import EqxTraining
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Check and run a script; results go to runs/<script>/<run-id>/.",
        discussion: "A training whose network, data, settings, seed and thread count are unchanged reuses its cached checkpoint.")

    @ArgumentParser.Argument(help: "The script to run, or - for standard input.")
    var file: String

    @Option(name: .customLong("out"), help: "The run directory (default: runs/<script>/<run-id>).")
    var out: String?

    @Option(help: "Compute threads (default: all cores). Results are identical for the same count; the count is part of the run id.")
    var threads: Int?

    @Option(help: "Replace the script's seed; operative.eqx and the run id record it.")
    var seed: UInt64?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Replace a top-level let's value (repeatable): --set epochs=2 --set width=8; operative.eqx and the run id record it.",
        valueName: "name=value"))
    var overrides: [String] = []

    @Flag(help: "Retrain even when a cached checkpoint matches.")
    var fresh = false

    @Flag(help: "Continue an interrupted run from its last checkpoint.")
    var resume = false

    @Flag(name: .shortAndLong, help: "Print only results and errors.")
    var quiet = false

    @Option(help: "How to print diagnostics: human or json.")
    var diagnosticsFormat: DiagnosticsFormat = .human

    @OptionGroup(title: "Sweeps (docs/cluster.md)")
    var sweep: SweepOptions

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        try sweep.validate(fresh: fresh)
        // The seed is written into operative.eqx, where integers stop at 2^53.
        if let s = seed, s > 1 << 53 { throw ValidationError("--seed must be at most 2^53 = 9007199254740992") }
        for o in overrides where LetOverride(o) == nil {
            throw ValidationError("--set takes NAME=VALUE, e.g. --set epochs=2 (got '\(o)')")
        }
    }

    func run() throws {
        // Log lines must appear as they happen when stdout is a pipe or a file (CI logs, `| tee`).
        setvbuf(stdout, nil, _IOLBF, 0)
        let (source, directory) = try ScriptInput.read(file)
        let checked = Pipeline.check(source, baseDirectory: directory, seed: seed,
                                     overrides: overrides.compactMap(LetOverride.init))
        DiagnosticPrinter.print(checked.diagnostics, file: source, format: diagnosticsFormat)
        guard checked.program != nil, !checked.hasErrors else {
            throw ExitCode(checked.missesInput ? Exit.missingInput : Exit.invalidScript)
        }
        guard let operative = OperativeScript(checked) else {
            Terminal.error("internal error: the canonical form of \(source.name) does not check like the script (please report it)")
            throw ExitCode(Exit.runtimeFailure)
        }
        Interrupt.install()
        if sweep.isSweep {
            try SweepRun(options: sweep, file: file, threads: threads, out: out, resume: resume, quiet: quiet)
                .run(operative, scriptDirectory: directory, source: source, diagnosticsFormat: diagnosticsFormat)
            return
        }
        var options = RunOptions(scriptName: ScriptInput.stem(file), scriptDirectory: directory,
                                 outputDirectory: out.map { URL(fileURLWithPath: $0) }, fresh: fresh, resume: resume)
        if let t = threads { options.threads = t }
        let progress = ProgressPrinter(quiet: quiet)
        let executor = Executor(program: operative.program, canonicalSource: operative.source, options: options,
                                observer: progress.handle, shouldStop: { Interrupt.requested })
        do {
            try executor.run()
            progress.finish()
        } catch let e as Interrupted {
            progress.finish()
            Terminal.error(e.description)
            throw ExitCode(Exit.interrupted)
        } catch let e as RuntimeError {
            progress.finish()
            report(e, at: e.range.flatMap(operative.userRange), in: source)
            throw ExitCode(e.exitCode)
        } catch let e as CocoaError {
            progress.finish()
            Terminal.error("I/O error: \(e.localizedDescription)")
            throw ExitCode(Exit.ioError)
        } catch DataError.io(let path, let reason) {
            // A result, checkpoint or `save` file that cannot be written (or a checkpoint that cannot be read).
            progress.finish()
            Terminal.error("I/O error: \(path): \(reason)")
            throw ExitCode(Exit.ioError)
        } catch {
            progress.finish()
            Terminal.error("\(error)")
            throw ExitCode(Exit.runtimeFailure)
        }
    }

    /// A runtime failure as a diagnostic at the statement that failed (`range` is in the user's file).
    private func report(_ e: RuntimeError, at range: SourceRange?, in file: SourceFile) {
        let d = Diagnostic.error("E0901", e.message, at: range, label: "while running this statement")
        DiagnosticPrinter.print([d], file: file, format: diagnosticsFormat)
    }
}

/// Shows training progress: a live line on a terminal, a log line per epoch otherwise.
final class ProgressPrinter {
    let quiet: Bool
    private var lineOpen = false
    private var lastDraw = Date.distantPast
    private var mergeStarted = Date()

    init(quiet: Bool) { self.quiet = quiet }

    func handle(_ event: RunEvent) {
        switch event {
        case .started(let dir, let id):
            if !quiet { say("run \(id)" + (dir.map { " → \($0.path)" } ?? "")) }
        case .statement(let s):
            if !quiet { say(Terminal.bold(s)) }
        case .reused(let id):
            if !quiet { say("  \(id): unchanged, reusing its checkpoint (--fresh retrains)") }
        case .resumed(let id, let step):
            if !quiet { say("  \(id): resuming at step \(step)") }
        case .training(let p):
            guard !quiet else { return }
            let text = String(format: "  %@ epoch %d/%d  step %d/%d  loss %.4f  acc %.3f  %.0f img/s  ETA %@",
                              p.run, p.epoch, p.epochs, p.step, p.totalSteps, p.loss, p.accuracy, p.imagesPerSecond,
                              eta(p.secondsRemaining))
            if Terminal.standardOutputIsTerminal {
                if Date().timeIntervalSince(lastDraw) > 0.1 || p.step == p.totalSteps {
                    FileHandle.standardOutput.write(("\r\u{1B}[K" + text).data(using: .utf8)!)
                    lineOpen = true
                    lastDraw = Date()
                }
                if p.step == p.totalSteps { closeLine() }
            } else if p.endOfEpoch {
                print(text)
            }
        case .merging(let p):
            guard !quiet else { return }
            if p.phase == .interpolating && p.done == 0 { mergeStarted = Date() }
            let finished = p.phase == .interpolating && p.done == p.total
            var text = "  \(p.merge) \(p.phase.rawValue)"
            if p.phase == .interpolating {
                text += "  α \(min(p.done + 1, p.total))/\(p.total)" + (p.alpha.map { String(format: " (α = %g)", $0) } ?? "")
                let elapsed = Date().timeIntervalSince(mergeStarted)
                let remaining = p.done > 0 ? elapsed / Double(p.done) * Double(p.total - p.done) : .nan
                text += "  ETA \(eta(remaining))"
            }
            if Terminal.standardOutputIsTerminal {
                if Date().timeIntervalSince(lastDraw) > 0.1 || finished || p.done == 0 {
                    FileHandle.standardOutput.write(("\r\u{1B}[K" + text).data(using: .utf8)!)
                    lineOpen = true
                    lastDraw = Date()
                }
                if finished { closeLine() }
            }
        case .table(let t):
            closeLine()
            print(Terminal.render(t), terminator: "")
        case .wrote(let url):
            if !quiet && url.lastPathComponent == "report.html" { say("report in \(url.path) (eqx open shows it)") }
        case .note(let s):
            if !quiet { say(s) }
        case .warning(let s):
            closeLine()
            FileHandle.standardError.write(Data("warning: \(s)\n".utf8))
        }
    }

    private func eta(_ s: Double) -> String {
        guard s.isFinite else { return "--" }
        return s < 60 ? String(format: "%.0fs", s) : String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60)
    }

    private func say(_ s: String) { closeLine(); print(s) }
    private func closeLine() { if lineOpen { print(""); lineOpen = false } }
    func finish() { closeLine(); fflush(stdout) }
}
