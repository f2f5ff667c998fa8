import EqxRuntime
import EqxTraining
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `eqx repl`: the terminal around a `ReplSession`. On a terminal: prompts, line editing, history, Tab
/// completion, a live training line, Ctrl-C and Ctrl-D. Otherwise: statements from standard input without
/// prompts, results on standard output, and the first error ends the process with a non-zero status.
public enum ReplDriver {
    public static let prompt = "eqx> "
    public static let continuationPrompt = "...  "

    /// Runs until `:quit`, Ctrl-D or the end of input; returns the exit status.
    public static func run(options: ReplOptions, load file: String? = nil) -> Int32 {
        let interactive = isatty(0) == 1
        ReplSignals.install(interactive: interactive)
        let live = LiveProgress(enabled: interactive && isatty(1) == 1)
        let session = ReplSession(options: options, progress: live.handle, shouldStop: { ReplSignals.interrupted })
        func perform(_ input: () -> ReplResponse) -> ReplResponse {
            ReplSignals.interrupts = 0
            ReplSignals.running = 1
            let r = input()
            ReplSignals.running = 0
            live.finish()
            write(r)
            return r
        }
        if let file {
            let r = perform { session.submit(":load " + file) }
            if !interactive, r.failure != nil { return r.exitCode }
        }
        return interactive ? interactiveLoop(session, perform) : batchLoop(session, perform)
    }

    private static func write(_ r: ReplResponse) {
        if !r.output.isEmpty { FileHandle.standardOutput.write(Data(r.output.utf8)) }
        if !r.errors.isEmpty { FileHandle.standardError.write(Data(r.errors.utf8)) }
    }

    private static func interactiveLoop(_ session: ReplSession, _ perform: (() -> ReplResponse) -> ReplResponse) -> Int32 {
        print("eqx \(eqxVersion) — type :help for commands, Ctrl-D to quit")
        let editor = LineEditor(historyFile: LineEditor.defaultHistoryFile()) { word, before in
            switch session.completions(for: word, before: before) {
            case .words(let w): return w
            }
        }
        defer { editor.close() }
        var entry = HistoryEntry()
        while true {
            switch editor.read(prompt: session.isContinuing ? continuationPrompt : prompt) {
            case .endOfInput:
                print("")
                return 0
            case .interrupt:
                if let e = entry.interrupted() { editor.remember(e) }
                session.cancelInput()
            case .line(let line):
                let r = perform { session.submit(line) }
                if let e = entry.add(line, continuing: session.isContinuing) { editor.remember(e) }
                if r.quit { return 0 }
            }
        }
    }

    private static func batchLoop(_ session: ReplSession, _ perform: (() -> ReplResponse) -> ReplResponse) -> Int32 {
        while let line = readLine(strippingNewline: true) {
            let r = perform { session.submit(line) }
            if r.failure != nil { return r.exitCode }
            if r.quit { return 0 }
        }
        return perform { session.endOfInput() }.exitCode
    }
}

/// The live training line on a terminal (redrawn in place, at most ten times a second).
final class LiveProgress {
    let enabled: Bool
    private var lineOpen = false
    private var lastDraw = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func handle(_ event: RunEvent) {
        guard enabled else { return }
        switch event {
        case .training(let p):
            guard Date().timeIntervalSince(lastDraw) > 0.1 || p.step == p.totalSteps else { return }
            let text = String(format: "  %@ epoch %d/%d  step %d/%d  loss %.4f  acc %.3f  %.0f img/s", p.run, p.epoch, p.epochs,
                              p.step, p.totalSteps, p.loss, p.accuracy, p.imagesPerSecond)
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8))
            lineOpen = true
            lastDraw = Date()
        case .statement(let s):
            say("\u{1B}[2m" + s + "\u{1B}[0m")
        case .note(let s):
            say(s)
        case .reused(let id):
            say("  \(id): unchanged, reusing its checkpoint")
        default:
            break
        }
    }

    private func say(_ s: String) {
        finish()
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    /// Ends the live line so the answer starts on a line of its own.
    func finish() {
        if lineOpen {
            FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
            lineOpen = false
        }
    }
}
