import CReadline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGWINCH, recorded by async-signal-safe handlers and acted on by the REPL loop.
enum ReplSignals {
    nonisolated(unsafe) static var interrupts: Int32 = 0
    nonisolated(unsafe) static var resized: Int32 = 0
    /// Set while a statement runs: a third Ctrl-C then ends the process (a step that never checks).
    nonisolated(unsafe) static var running: Int32 = 0
    /// Without a terminal nobody edits a line: Ctrl-C while waiting for input ends the process.
    nonisolated(unsafe) static var exitWhenIdle: Int32 = 0

    static func install(interactive: Bool) {
        exitWhenIdle = interactive ? 0 : 1
        signal(SIGINT) { _ in
            ReplSignals.interrupts += 1
            if ReplSignals.running == 0 && ReplSignals.exitWhenIdle != 0 { _exit(130) }
            if ReplSignals.running != 0 && ReplSignals.interrupts >= 3 { _exit(130) }
        }
        signal(SIGWINCH) { _ in ReplSignals.resized = 1 }
    }

    static var interrupted: Bool { interrupts > 0 }
}

/// GNU readline in its callback mode: the REPL keeps control of the loop, so Ctrl-C at the prompt clears
/// the line instead of killing the process. History lives in a file; Tab asks the session for candidates.
final class LineEditor {
    enum Event: Equatable {
        case line(String)
        /// Ctrl-C: the line was cleared.
        case interrupt
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfInput
    }

    nonisolated(unsafe) private static var received: Event?
    nonisolated(unsafe) private static var completer: ((String, String) -> [String])?
    nonisolated(unsafe) private static var candidates: [String] = []
    nonisolated(unsafe) private static var nextCandidate = 0

    let historyFile: URL?
    private var lastHistoryLine: String?

    init(historyFile: URL?, completer: @escaping (_ word: String, _ before: String) -> [String]) {
        self.historyFile = historyFile
        LineEditor.completer = completer
        rl_readline_name = UnsafePointer(strdup("eqx"))
        rl_catch_signals = 0
        rl_catch_sigwinch = 0
        // `.` and `:` stay inside words so `digits.te` and `:in` complete as a whole.
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"'(),[]{}=+-*/;"))
        rl_attempted_completion_function = { text, start, _ in
            let word = text.map { String(cString: $0) } ?? ""
            let bytes = Array(UnsafeBufferPointer(start: rl_line_buffer.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) },
                                                  count: Int(start)))
            let before = String(decoding: bytes, as: UTF8.self)
            let words = LineEditor.completer?(word, before) ?? []
            rl_attempted_completion_over = 1
            // A directory completes to `dir/` without a space, so the next Tab lists what is inside.
            rl_completion_append_character = words.count == 1 && words[0].hasSuffix("/") ? 0 : 32
            LineEditor.candidates = words
            LineEditor.nextCandidate = 0
            return rl_completion_matches(text) { _, _ in
                guard LineEditor.nextCandidate < LineEditor.candidates.count else { return nil }
                defer { LineEditor.nextCandidate += 1 }
                return strdup(LineEditor.candidates[LineEditor.nextCandidate])
            }
        }
        using_history()
        stifle_history(2000)
        // Timestamp lines (`#1764582000`) start each entry in the file, so an entry of several lines (a
        // multi-line statement) comes back as one.
        history_write_timestamps = 1
        if let f = historyFile {
            try? FileManager.default.createDirectory(at: f.deletingLastPathComponent(), withIntermediateDirectories: true)
            if let data = FileManager.default.contents(atPath: f.path) {
                let timestamped = data.first == UInt8(ascii: "#") && data.dropFirst().first.map { (48...57).contains($0) } == true
                history_multiline_entries = timestamped || data.isEmpty ? 1 : 0
                read_history(f.path)
                if history_multiline_entries == 0 { write_history(f.path) }   // an older file: one entry a line
                history_multiline_entries = 1
            } else {
                history_multiline_entries = 1
                write_history(f.path)
            }
        }
    }

    /// `$XDG_STATE_HOME/eqx/history`, or `~/.eqx_history` without XDG_STATE_HOME.
    static func defaultHistoryFile() -> URL {
        let env = ProcessInfo.processInfo.environment
        if let state = env["XDG_STATE_HOME"], !state.isEmpty {
            return URL(fileURLWithPath: state).appendingPathComponent("eqx").appendingPathComponent("history")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".eqx_history")
    }

    /// Reads one line with `prompt`, waiting in poll(2) so signals are seen between keys.
    func read(prompt: String) -> Event {
        LineEditor.received = nil
        ReplSignals.interrupts = 0
        rl_callback_handler_install(prompt) { line in
            // Removed here, inside the handler, or readline would draw the next prompt before the answer.
            rl_callback_handler_remove()
            if let line {
                LineEditor.received = .line(String(cString: line))
                free(line)
            } else {
                LineEditor.received = .endOfInput
            }
        }
        while LineEditor.received == nil {
            if ReplSignals.resized != 0 {
                ReplSignals.resized = 0
                rl_resize_terminal()
            }
            if ReplSignals.interrupted {
                ReplSignals.interrupts = 0
                // Show ^C where the cursor is, then forget the line being edited and start a fresh one below.
                // (Leaving readline's mode returns the cursor to the line's start, hence ^C first.)
                fputs("^C", stdout)
                fflush(stdout)
                rl_free_line_state()
                rl_callback_sigcleanup()
                rl_replace_line("", 0)
                rl_point = 0
                rl_end = 0
                rl_callback_handler_remove()
                fputs("\n", stdout)
                fflush(stdout)
                return .interrupt
            }
            var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                rl_callback_handler_remove()
                return .endOfInput
            }
            if fds.revents & Int16(POLLIN | POLLHUP) != 0 { rl_callback_read_char() }
            if LineEditor.received == nil, fds.revents & Int16(POLLNVAL | POLLERR) != 0 {
                rl_callback_handler_remove()
                return .endOfInput
            }
        }
        return LineEditor.received ?? .endOfInput
    }

    /// Adds an entry (one line, or the lines of one statement) to the history — not a blank one, not an
    /// immediate repeat — and appends it to the file.
    func remember(_ entry: String) {
        guard !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, entry != lastHistoryLine else { return }
        lastHistoryLine = entry
        add_history(entry)
        add_history_time("#\(Int(Date().timeIntervalSince1970))")
        if let f = historyFile { append_history(1, f.path) }
    }

    func close() {
        if let f = historyFile { history_truncate_file(f.path, 2000) }
    }
}

/// Collects the lines of one input, so the history recalls a multi-line statement as one block.
struct HistoryEntry {
    private var lines: [String] = []

    /// The entry to remember once the session no longer waits for more lines of the input.
    mutating func add(_ line: String, continuing: Bool) -> String? {
        lines.append(line)
        guard !continuing else { return nil }
        defer { lines = [] }
        return lines.joined(separator: "\n")
    }

    /// Ctrl-C while an input is unfinished: what was typed so far, so it can be recalled and fixed.
    mutating func interrupted() -> String? {
        defer { lines = [] }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }
}
