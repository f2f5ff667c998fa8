import Foundation
import XCTest
import EqxTestSupport

/// The real `eqx repl` binary: through a pseudo-terminal (tmux) with line editing, history and completion,
/// and with standard input from a pipe.
final class TerminalEndToEndTests: XCTestCase {
    // MARK: Standard input is not a terminal

    func testPipedStatementsPrintResultsWithoutPrompts() throws {
        let eqx = try EqxBinary.require()
        let dir = try temporaryDirectory(self)
        let input = ["data digits = builtin.digits", "net n {", "  flatten", "  linear -> 10", "}", "1 + 2",
                     ":shape n", ":quit"].joined(separator: "\n") + "\n"
        let r = try runProcess(eqx, ["repl"], input: input, directory: dir)
        XCTAssertEqual(r.status, 0, r.errors)
        XCTAssertEqual(r.errors, "")
        XCTAssertEqual(r.output, """
            3
            net n on digits: [1, 8, 8] → [10]
              layer     output
              ────────  ─────────
              input     [1, 8, 8]
              flatten1  [64]
              linear1   [10]

            """, "no prompts, no banner")
    }

    func testPipedInputStopsAtTheFirstError() throws {
        let eqx = try EqxBinary.require()
        let dir = try temporaryDirectory(self)
        let r = try runProcess(eqx, ["repl"], input: "1 + 2\nfoo\n4 + 4\n", directory: dir)
        XCTAssertEqual(r.status, 65)
        XCTAssertEqual(r.output, "3\n", "nothing after the error runs")
        XCTAssertContains(r.errors, "error[E0401]: unknown name 'foo'\n --> <repl>:1:1")
        let unfinished = try runProcess(eqx, ["repl"], input: "net n {\n  flatten\n", directory: dir)
        XCTAssertEqual(unfinished.status, 65)
        XCTAssertContains(unfinished.errors, "unclosed '{' of net 'n'")
        let quit = try runProcess(eqx, ["repl"], input: ":quit\nfoo\n", directory: dir)
        XCTAssertEqual(quit.status, 0)
        let unwritable = try runProcess(eqx, ["repl"], input: "data d = builtin.digits\n:save missing/x.eqx\n1 + 2\n", directory: dir)
        XCTAssertEqual(unwritable.status, 74, "a file that cannot be written: \(unwritable.errors)")
        XCTAssertContains(unwritable.errors, "cannot write \(dir.path)/missing/x.eqx")
        XCTAssertEqual(unwritable.output, "", "nothing after the error runs")
    }

    // MARK: A terminal

    /// One tmux session running a command in a 120×40 pane.
    final class Tmux {
        let name = "eqx-repl-test-\(UUID().uuidString.prefix(8))"
        let tmux: URL

        init(command: String) throws {
            guard let path = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first(where: FileManager.default.isExecutableFile) else {
                throw XCTSkip("tmux is not installed")
            }
            tmux = URL(fileURLWithPath: path)
            try run(["new-session", "-d", "-s", name, "-x", "120", "-y", "40", command])
        }

        @discardableResult
        func run(_ arguments: [String]) throws -> String {
            let r = try runProcess(tmux, arguments)
            guard r.status == 0 else { throw NSError(domain: "tmux", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.errors]) }
            return r.output
        }

        func type(_ text: String) throws { try run(["send-keys", "-t", name, "-l", text]) }
        func press(_ key: String) throws { try run(["send-keys", "-t", name, key]) }
        func line(_ text: String) throws { try type(text); try press("Enter") }
        func screen() throws -> String { try run(["capture-pane", "-t", name, "-p", "-S", "-200"]) }

        /// Waits until `condition` holds for the screen (at most `seconds`), then returns the screen.
        @discardableResult
        func wait(_ what: String, seconds: Double = 20, until condition: (String) -> Bool) throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            var s = ""
            while Date() < deadline {
                s = try screen()
                if condition(s) { return s }
                Thread.sleep(forTimeInterval: 0.05)
            }
            XCTFail("timed out waiting for \(what); the screen:\n\(s)")
            return s
        }

        @discardableResult
        func wait(for text: String, count: Int = 1) throws -> String {
            try wait("'\(text)' ×\(count)") { $0.components(separatedBy: text).count - 1 >= count }
        }

        func close() { _ = try? run(["kill-session", "-t", name]) }
    }

    func testLineEditingHistoryAndCompletionOnATerminal() throws {
        let eqx = try EqxBinary.require()
        let dir = try temporaryDirectory(self)
        let state = dir.appendingPathComponent("state")
        let tmux = try Tmux(command: "cd '\(dir.path)' && XDG_STATE_HOME='\(state.path)' '\(eqx.path)' repl; echo \"EXITED $?\"; sleep 60")
        defer { tmux.close() }
        try tmux.wait(for: "eqx>")

        // A multi-line net declaration: continuation prompts until the brace closes.
        try tmux.line("data digits = builtin.digits")
        try tmux.wait(for: "eqx>", count: 2)
        for l in ["net tiny(width: 4) {", "  conv 3x3 -> width pad 1", "  relu", "  global avgpool", "  linear -> 10"] {
            try tmux.line(l)
        }
        try tmux.wait(for: "...    linear -> 10")
        try tmux.line("}")
        var s = try tmux.wait(for: "eqx>", count: 3)
        XCTAssertContains(s, "eqx> net tiny(width: 4) {\n...    conv 3x3 -> width pad 1\n...    relu\n")

        // :info with the layer table.
        try tmux.line(":info tiny")
        s = try tmux.wait(for: "linear1          linear          [10]       trivial           50")
        XCTAssertContains(s, "net tiny(width: 4) on digits: [1, 8, 8] → [10], 90 parameters")
        XCTAssertContains(s, "conv1            conv 3x3 pad 1  [4, 8, 8]  trivial           40")

        // Up recalls the last line; Enter runs it again.
        try tmux.press("Up")
        try tmux.wait(for: "eqx> :info tiny", count: 2)
        try tmux.press("Enter")
        s = try tmux.wait(for: "90 parameters", count: 2)

        // Tab completes a command and a declared name.
        try tmux.type(":sh")
        try tmux.press("Tab")
        try tmux.wait(for: "eqx> :shape")
        try tmux.type("ti")
        try tmux.press("Tab")
        try tmux.wait(for: "eqx> :shape tiny")
        try tmux.press("Enter")
        try tmux.wait(for: "global_avgpool1  [4]")

        // Ctrl-C drops an unfinished input; the session goes on.
        try tmux.line("net half {")
        try tmux.wait(for: "eqx> net half {\n...")
        try tmux.press("C-c")
        try tmux.line("1 + 2")
        s = try tmux.wait(for: "eqx> 1 + 2\n3")
        XCTAssertContains(s, "eqx> net half {\n...  ^C\neqx> 1 + 2")

        // Ctrl-C stops a running training at its next step; its weights so far stay under its name.
        try tmux.line("train long = tiny on digits.train { mode nominal; steps 1000000 }")
        try tmux.wait(for: "long epoch")
        try tmux.press("C-c")
        s = try tmux.wait(for: "it keeps the weights trained so far, marked incomplete")
        XCTAssertContains(s, "interrupted: 'long' stopped after ")
        try tmux.line(":type long")
        try tmux.wait(for: "long : network tiny(width: 4), [1, 8, 8] → [10] (incomplete: stopped after ")
        try tmux.line(":type tiny")
        try tmux.wait(for: "tiny : net declaration")

        // Ctrl-D quits with status 0; the history file has the lines.
        try tmux.press("C-d")
        try tmux.wait(for: "EXITED 0")
        let history = try String(contentsOf: state.appendingPathComponent("eqx/history"), encoding: .utf8)
        XCTAssertContains(history, ":info tiny\n")
        XCTAssertContains(history, "  conv 3x3 -> width pad 1\n")
    }

    /// Tab completes `:load` paths through directories (no space after `dir/`), and a second Tab after a
    /// completed name adds nothing; a multi-line statement comes back from the history as one block, also
    /// in the next session.
    func testPathCompletionAndMultiLineHistory() throws {
        let eqx = try EqxBinary.require()
        let dir = try temporaryDirectory(self)
        let state = dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try "eqx 1\nlet answer = 42\n".write(to: dir.appendingPathComponent("scripts/answer.eqx"), atomically: true, encoding: .utf8)
        let command = "cd '\(dir.path)' && XDG_STATE_HOME='\(state.path)' '\(eqx.path)' repl"
        var tmux = try Tmux(command: command + "; echo \"EXITED $?\"; sleep 60")
        defer { tmux.close() }
        try tmux.wait(for: "eqx>")
        try tmux.type(":load scr")
        try tmux.press("Tab")
        try tmux.wait(for: "eqx> :load scripts/")
        try tmux.press("Tab")
        try tmux.wait(for: "eqx> :load scripts/answer.eqx")
        try tmux.press("Tab")
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertNotContains(try tmux.screen(), "answer.eqxanswer.eqx")
        XCTAssertNotContains(try tmux.screen(), "answer.eqx answer.eqx")
        try tmux.press("Enter")
        try tmux.wait(for: "loaded scripts/answer.eqx: 1 statement")

        for l in ["net n {", "  flatten", "  linear -> 10", "}"] { try tmux.line(l) }
        try tmux.line("answer + 1")
        try tmux.wait(for: "43")
        try tmux.press("Up")
        try tmux.press("Up")
        try tmux.wait(for: "eqx> net n {\n  flatten\n  linear -> 10\n}")
        try tmux.press("Enter")
        try tmux.line("answer + 2")
        var s = try tmux.wait(for: "44")
        XCTAssertNotContains(s, "error")
        try tmux.press("C-d")
        try tmux.wait(for: "EXITED 0")
        tmux.close()

        tmux = try Tmux(command: command + "; sleep 60")
        try tmux.wait(for: "eqx>")
        try tmux.press("Up")
        try tmux.press("Up")
        s = try tmux.wait(for: "eqx> net n {\n  flatten\n  linear -> 10\n}")
        XCTAssertNotContains(s, "#17")   // the timestamps stay in the file
    }

    func testHistoryFromAnEarlierSessionIsRecalled() throws {
        let eqx = try EqxBinary.require()
        let dir = try temporaryDirectory(self)
        let state = dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state.appendingPathComponent("eqx"), withIntermediateDirectories: true)
        try "7 * 6\n".write(to: state.appendingPathComponent("eqx/history"), atomically: true, encoding: .utf8)
        let tmux = try Tmux(command: "cd '\(dir.path)' && XDG_STATE_HOME='\(state.path)' '\(eqx.path)' repl; sleep 60")
        defer { tmux.close() }
        try tmux.wait(for: "eqx>")
        try tmux.press("Up")
        try tmux.wait(for: "eqx> 7 * 6")
        try tmux.press("Enter")
        try tmux.wait(for: "eqx> 7 * 6\n42\neqx>")
    }
}
