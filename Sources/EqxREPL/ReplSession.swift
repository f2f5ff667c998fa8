import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation

public struct ReplOptions {
    /// Relative data paths, `:load` and `:save` are resolved against it.
    public var directory: URL
    public var threads: Int
    /// Off by default: `save` statements then write nothing and trainings are not cached. Plots are never drawn.
    public var writesFiles: Bool
    /// ANSI colours in diagnostics.
    public var color: Bool

    public init(directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, writesFiles: Bool = false,
                color: Bool = false) {
        self.directory = directory; self.threads = threads; self.writesFiles = writesFiles; self.color = color
    }
}

/// What the session answers to one line: text for standard output, text for standard error, and its state.
public struct ReplResponse: Equatable {
    public enum Failure: Equatable {
        /// A diagnostic: the input was not valid eqx (65, like `eqx check`).
        case invalidInput
        /// A file or dataset that does not exist (66).
        case missingInput
        /// A file that cannot be written or read (74), such as `:save` into a missing directory.
        case ioError
        /// A statement failed while running (70).
        case runtime
        /// Ctrl-C stopped a running statement (130).
        case interrupted
        /// A `:` command used wrongly (64).
        case usage
    }

    public var output = ""
    public var errors = ""
    /// The input is an unfinished statement; the next line continues it (prompt `...`).
    public var needsMoreInput = false
    public var failure: Failure?
    public var quit = false

    public init() {}

    /// The process exit status for the first failure when standard input is not a terminal.
    public var exitCode: Int32 {
        switch failure {
        case nil: return 0
        case .invalidInput: return 65
        case .missingInput: return 66
        case .ioError: return 74
        case .runtime: return 70
        case .interrupted: return 130
        case .usage: return 64
        }
    }

    mutating func append(_ other: ReplResponse) {
        output += other.output
        errors += other.errors
        needsMoreInput = other.needsMoreInput
        failure = failure ?? other.failure
        quit = quit || other.quit
    }
}

/// The REPL as a state machine without terminal I/O: lines in, answers out.
///
/// The statements the user enters accumulate into one script (`canonicalScript`). Every time an input
/// completes, the whole script is checked again with `Pipeline.check`, so names and shapes resolve exactly
/// as in `eqx check`; an input with errors is reported and dropped, and the session goes on. A valid input's
/// new IR steps run on one long-lived `Executor`, so trained networks stay available. A line that is not a
/// statement is a query: its value is printed and the script is unchanged.
public final class ReplSession {
    public let options: ReplOptions
    let progress: (RunEvent) -> Void
    let shouldStop: () -> Bool

    var script = SessionScript()
    /// The last successful check of `script`.
    var accepted: CheckedScript?
    var executor: Executor?
    /// The prefix of the accepted program's steps that has run on `executor`.
    var executed: [Step] = []
    /// Data and merge ids that ran for an input which then failed: the executor may hold stale values for
    /// them, so reusing one replays the session on a fresh executor.
    var tainted: Set<String> = []
    /// Warnings already shown, so re-checking the script does not repeat them.
    var shownWarnings: Set<String> = []
    var entryCount = 0
    var pending: [String] = []
    /// The file of the last `:load`, for `:reload`.
    var lastLoaded: String?
    /// Answer text collected from executor events (tables of report statements).
    var eventOutput = ""

    public init(options: ReplOptions = ReplOptions(), progress: @escaping (RunEvent) -> Void = { _ in },
                shouldStop: @escaping () -> Bool = { false }) {
        self.options = options
        self.progress = progress
        self.shouldStop = shouldStop
    }

    // MARK: Input

    /// True while an unfinished statement waits for more lines.
    public var isContinuing: Bool { !pending.isEmpty }

    /// Ctrl-C at the prompt: forget the unfinished statement.
    public func cancelInput() { pending = [] }

    /// One line as typed (without its newline). Text with line breaks is taken line by line.
    public func submit(_ line: String) -> ReplResponse {
        let lines = line.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 {
            var all = ReplResponse()
            for l in lines {
                all.append(submit(String(l)))
                if all.quit { break }
            }
            return all
        }
        if pending.isEmpty {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return ReplResponse() }
            if trimmed.hasPrefix(":") { return command(trimmed) }
        }
        pending.append(line)
        let text = pending.joined(separator: "\n") + "\n"
        let file = SourceFile(name: "<repl>", text: text)
        let analysis = InputAnalysis(file)
        switch analysis.form {
        case .blank:
            pending = []
            return comment(text)
        case .statements:
            if analysis.isIncomplete(parse(file).1) { return continuing() }
            pending = []
            return enter(file)
        case .expression:
            let query = Segment(origin: .query, text: ReplSession.queryPrefix + text, display: file,
                                shift: ReplSession.queryPrefix.utf8.count)
            let wrapped = SourceFile(name: "<repl>", text: query.text)
            if InputAnalysis(wrapped).isIncomplete(parse(wrapped).1) { return continuing() }
            pending = []
            return evaluate(file)
        }
    }

    /// The end of standard input: an unfinished statement is taken as it is (and reported).
    public func endOfInput() -> ReplResponse {
        guard !pending.isEmpty else { return ReplResponse() }
        let text = pending.joined(separator: "\n") + "\n"
        pending = []
        let file = SourceFile(name: "<repl>", text: text)
        return InputAnalysis(file).form == .expression ? evaluate(file) : enter(file)
    }

    private func continuing() -> ReplResponse {
        var r = ReplResponse()
        r.needsMoreInput = true
        return r
    }

    static let queryPrefix = "report "

    /// A comment on its own: kept in the script (so `:save` keeps it), nothing to check.
    private func comment(_ text: String) -> ReplResponse {
        let file = SourceFile(name: "<repl>", text: text)
        guard !lex(file).comments.isEmpty else { return ReplResponse() }
        script.segments.append(Segment(origin: .tombstone, text: text, display: file))
        return ReplResponse()
    }

    // MARK: Statements

    /// A complete statement input typed at the prompt.
    func enter(_ file: SourceFile) -> ReplResponse {
        let number = entryCount + 1
        let r = ingest(file, origin: .entry(number), acceptedName: "<repl#\(number)>")
        if script.segments.last?.origin == .entry(number) { entryCount = number }   // also a kept interrupted training
        return r
    }

    /// Adds statements (typed or loaded) to the session: parse on their own, take `eqx 1` and `seed` into
    /// the header, check the whole script, then run the new steps. Nothing changes unless all of that works.
    func ingest(_ file: SourceFile, origin: Segment.Origin, acceptedName: String? = nil) -> ReplResponse {
        var response = ReplResponse()
        let (ast, syntax) = parse(file)
        let syntaxErrors = syntax.filter { $0.severity == .error }
        if !syntaxErrors.isEmpty {
            response.errors = render(syntaxErrors, in: ComposedScript(segments: [Segment(origin: origin, text: file.text, display: file)]))
            response.failure = .invalidInput
            return response
        }
        // The header owns the version line and the seed: blank them where they were written (positions stay).
        var bytes = file.bytes
        var newSeed: String?
        var others = 0
        for s in ast.statements {
            switch s.kind {
            case .version:
                blank(&bytes, s.range)
            case .seed(let e):
                newSeed = format(e)
                blank(&bytes, s.range)
            default:
                others += 1
            }
        }
        let segment = Segment(origin: origin, text: String(decoding: bytes, as: UTF8.self), display: file)
        var candidate = script
        if let s = newSeed { candidate.seedText = s }
        if others > 0 || !lex(file).comments.isEmpty { candidate.segments.append(segment) }
        let composed = candidate.composed()
        let checked = check(composed)
        let shown = checked.diagnostics.filter { $0.severity == .error || !shownWarnings.contains(key($0)) }
        response.errors = render(shown, in: composed)
        if checked.hasErrors || checked.program == nil {
            response.failure = checked.missesInput ? .missingInput : .invalidInput
            return response
        }
        // Accepted: later diagnostics name this input by its number.
        if let name = acceptedName, let i = candidate.segments.indices.last, candidate.segments[i].origin == origin {
            candidate.segments[i].display = SourceFile(name: name, bytes: file.bytes)
        }
        let previous = (script: script, accepted: accepted)
        let seedChanged = newSeed != nil && accepted?.program?.seed != checked.program?.seed
        let oldStepCount = accepted?.program?.steps.count ?? 0
        script = candidate
        accepted = checked
        let taintedBefore = tainted
        let run = runPending(replay: seedChanged, newFrom: oldStepCount, composed: composed)
        response.output += run.output
        if let i = run.interruptedTraining,
           let kept = keepInterruptedTraining(i, candidate: candidate, composed: composed, tainted: taintedBefore) {
            response.errors += kept
            response.failure = .interrupted
            return response
        }
        response.errors += run.errors
        if let failure = run.failure {
            // Roll back; an input whose steps started running leaves blank lines behind (see `Segment.tombstone`).
            script = previous.script
            if run.startedNewSteps, let last = candidate.segments.last { script.segments.append(last.tombstone) }
            accepted = script.segments.count == previous.script.segments.count ? previous.accepted : recheck()
            response.failure = failure
            return response
        }
        for d in checked.diagnostics where d.severity != .error { shownWarnings.insert(key(d)) }
        if newSeed != nil && others == 0 && origin != .loaded(file.name) {
            response.output += "seed \(checked.program!.seed)\n"
        }
        return response
    }

    private func blank(_ bytes: inout [UInt8], _ r: SourceRange) {
        for i in max(0, r.start)..<min(bytes.count, r.end) where bytes[i] != UInt8(ascii: "\n") {
            bytes[i] = UInt8(ascii: " ")
        }
    }

    func recheck() -> CheckedScript? {
        let checked = check(script.composed())
        return checked.hasErrors ? nil : checked
    }

    /// The session checked as one script, under the session's rules (shadowing, `:forget`). A net declared
    /// at the prompt is usually trained by a later input, so "never used" (W0403) is not said here.
    /// `probing`: a query's generated script, whose `load` of a placeholder checkpoint must not be read.
    func check(_ composed: ComposedScript, probing: Bool = false) -> CheckedScript {
        var checked = Pipeline.check(composed.file, baseDirectory: options.directory, session: composed.rules,
                                     readsCheckpoints: !probing)
        checked.diagnostics.removeAll { $0.id == "W0403" }
        return checked
    }

    private func key(_ d: Diagnostic) -> String { "\(d.id)|\(d.range?.start ?? -1)|\(d.message)" }

    /// Diagnostics moved onto what the user typed, rendered like `eqx check` renders them.
    func render(_ diagnostics: [Diagnostic], in composed: ComposedScript) -> String {
        let renderer = DiagnosticRenderer()
        return diagnostics.map { d in
            let (mapped, file) = composed.map(d)
            return renderer.render(mapped, in: file, color: options.color)
        }.joined(separator: "\n")
    }

    // MARK: Running

    struct RunResult {
        var output = ""
        var errors = ""
        var failure: ReplResponse.Failure?
        var startedNewSteps = false
        /// Ctrl-C in a training of this input: the executor it ran on, the steps done before it, its weights.
        var interruptedTraining: (executor: Executor, done: [Step], partial: PartialTraining)?
    }


    func makeExecutor(_ program: Program) -> Executor {
        var runOptions = RunOptions(scriptName: "repl", scriptDirectory: options.directory,
                                    runsRoot: options.directory.appendingPathComponent("runs"), threads: options.threads,
                                    writesFiles: options.writesFiles)
        runOptions.threads = max(1, options.threads)
        return Executor(program: program, canonicalSource: "", options: runOptions,
                        observer: { [weak self] in self?.observe($0) }, shouldStop: shouldStop)
    }

    private func observe(_ event: RunEvent) {
        switch event {
        case .table(let t): eventOutput += ValueDisplay.table(t)
        case .note(let n): eventOutput += n + "\n"
        case .warning(let w): eventOutput += "warning: " + w + "\n"
        default: progress(event)
        }
    }

    /// Runs the accepted program's steps that have not run yet. Steps from index `newFrom` on belong to the
    /// input being entered. With `replay` (or a reused tainted id) everything runs again on a fresh executor,
    /// which replaces the old one only if all steps succeed.
    func runPending(replay: Bool, newFrom: Int, composed: ComposedScript) -> RunResult {
        var result = RunResult()
        guard let program = accepted?.program else { return result }
        // A new seed changes every random stream, so everything runs again (the executor's data too).
        var fresh = replay || !program.steps.starts(with: executed)
        for step in program.steps.dropFirst(executed.count) where !tainted.isDisjoint(with: ids(of: step)) { fresh = true }
        let exec = fresh || executor == nil ? makeExecutor(program) : executor!
        var done = fresh ? [] : executed
        if fresh && !executed.isEmpty { progress(.note("running the session again from the start")) }
        eventOutput = ""
        defer { eventOutput = "" }
        do {
            while done.count < program.steps.count {
                let step = program.steps[done.count]
                if shouldStop() { throw StoppedBeforeStep(statement: ValueDisplay.label(of: step)) }
                if done.count >= newFrom { result.startedNewSteps = true }
                try exec.execute(step)
                done.append(step)
                result.output += eventOutput
                eventOutput = ""
                result.output += notes(after: step, on: exec)
            }
        } catch {
            result.output += eventOutput
            let failing = done.count < program.steps.count ? program.steps[done.count] : nil
            if let i = error as? Interrupted, let partial = i.partialTraining, done.count >= newFrom {
                result.interruptedTraining = (exec, done, partial)
            }
            result.failure = describe(error, composed: composed, into: &result.errors, at: failing.flatMap { $0.range })
            if exec === executor {
                executed = Array(done.prefix(newFrom))
                if result.startedNewSteps {
                    for step in done.dropFirst(newFrom) { tainted.formUnion(ids(of: step)) }
                    if done.count < program.steps.count { tainted.formUnion(ids(of: program.steps[done.count])) }
                }
            } else {
                result.startedNewSteps = false   // the fresh executor is dropped with everything it computed
            }
            return result
        }
        if fresh { tainted = [] }
        executor = exec
        executed = done
        return result
    }

    /// Ids whose executor state a failed input could leave behind.
    private func ids(of step: Step) -> Set<String> {
        switch step {
        case .data(let d): return [d.id]
        case .merge(let m): return [m.id]
        default: return []
        }
    }

    /// One line about what a step did, where it is not a table of its own.
    private func notes(after step: Step, on exec: Executor) -> String {
        switch step {
        case .train(let t):
            guard let o = exec.trained[t.id]?.outcome else { return "" }
            var line = "trained \(t.id): \(formatCount(o.steps)) steps, batch loss \(formatNumber(o.finalLoss))"
            if let e = o.epochs.last?.evaluations.last { line += ", \(e.data) accuracy \(formatNumber(e.accuracy))" }
            return line + "\n"
        case .merge(let m):
            guard let o = exec.merges[m.id]?.outcome else { return "" }
            return "merged \(m.id): barrier \(formatNumber(o.lossBarrier)) (loss), \(formatNumber(o.accuracyBarrier)) (accuracy)\n"
        default: break
        }
        switch step {
        case .save(let s) where !options.writesFiles:
            return "note: '\(s.path)' not written: the REPL writes files only when started with --write-files\n"
        case .plot(let p):
            return "note: plot '\(p.title)' recorded; :save the session and `eqx run` it for the SVG\n"
        default: return ""
        }
    }

    func describe(_ error: Error, composed: ComposedScript, into errors: inout String,
                  at statement: SourceRange? = nil) -> ReplResponse.Failure {
        switch error {
        case let e as Interrupted:
            errors += "interrupted: '\(e.statement)' stopped; the session is as it was before this input\n"
            return .interrupted
        case let e as StoppedBeforeStep:
            errors += "interrupted before '\(e.statement)'; the session is as it was before this input\n"
            return .interrupted
        case let e as RuntimeError:
            let d = Diagnostic.error("E0901", e.message, at: e.range ?? statement, label: "while running this statement")
            errors += render([d], in: composed)
            return e.exitCode == 66 ? .missingInput : .runtime
        case DataError.io(let path, let reason):
            errors += "error: \(path): \(reason)\n"
            return .ioError
        case let e as CocoaError:
            errors += "error: \(e.localizedDescription)\n"
            return .ioError
        default:
            errors += "error: \(error)\n"
            return .runtime
        }
    }

    // MARK: Whole-session state

    /// The session as a canonical script (`eqx fmt` form): what `:save` writes and `eqx run` reproduces.
    public var canonicalScript: String {
        format(parse(SourceFile(name: "<repl>", text: renamingHiddenDeclarations(script.composed()))).0)
    }

    /// Names declared at the top level, with what they are, in declaration order: a redefinition is listed
    /// again (the last one counts) and a forgotten name is gone.
    var declarations: [(name: String, kind: Declaration)] {
        guard let ast = accepted?.script else { return [] }
        let composed = script.composed()
        var forgets = composed.rules.forgotten[...]
        var out: [(name: String, kind: Declaration)] = []
        func forgetUpTo(_ offset: Int) {
            while let f = forgets.first, f.offset <= offset {
                out.removeAll { $0.name == f.name }
                forgets.removeFirst()
            }
        }
        for s in ast.statements {
            forgetUpTo(s.range.start)
            switch s.kind {
            case .let(let n, _): out.append((n.name, .value))
            case .data(let n, _, _): out.append((n.name, .data))
            case .group(let n, _): out.append((n.name, .group))
            case .net(let n, _, _): out.append((n.name, .net))
            case .block(let n, _, _): out.append((n.name, .block))
            case .train(let n, _, _, _): out.append((n.name, .train))
            case .merge(let n, _, _, _): out.append((n.name, .merge))
            default: break
            }
        }
        forgetUpTo(Int.max)
        return out
    }

    enum Declaration: String { case value = "let", data, group, net, block, train, merge }

    func declaration(_ name: String) -> Declaration? {
        declarations.last { $0.name == name }?.kind
    }

    /// Clears statements, results and settings.
    func reset() {
        script = SessionScript()
        accepted = nil
        executor = nil
        executed = []
        tainted = []
        shownWarnings = []
        entryCount = 0
        pending = []
    }
}

/// Ctrl-C between two steps of one input (the executor's own `Interrupted` covers a running training or merge).
struct StoppedBeforeStep: Error {
    var statement: String
}

extension SourceFile {
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
