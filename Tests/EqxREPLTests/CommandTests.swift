@testable import EqxREPL
import XCTest
import EqxTestSupport

/// `:` commands, their prefixes, and the commands that change the session as a whole.
final class CommandTests: XCTestCase {
    func testUnambiguousPrefixesAreAccepted() {
        var t = Fixture.declared()
        XCTAssertEqual(t.type(":i flip").output, t.type(":info flip").output, ":i is :info (no other command starts with i)")
        XCTAssertEqual(t.type(":t flip").output, "flip : group mirror(horizontal)\n")
        XCTAssertEqual(t.type(":sh digits.test").output, t.type(":shape digits.test").output)
        XCTAssertTrue(t.type(":q").quit)
        XCTAssertTrue(t.type(":quit").quit)
    }

    func testAmbiguousAndUnknownCommands() {
        var t = Transcript()
        let r = t.type(":r")
        XCTAssertEqual(r.failure, .usage)
        XCTAssertEqual(r.errors, "error: ':r' is ambiguous: it could be :reload, :reset\n  = help: type more letters\n")
        XCTAssertContains(t.type(":s").errors, "it could be :shape, :set, :save")
        let unknown = t.type(":inf0")
        XCTAssertEqual(unknown.failure, .usage)
        XCTAssertContains(unknown.errors, "unknown command ':inf0'")
        XCTAssertContains(unknown.errors, "did you mean ':info'?")
        XCTAssertEqual(t.type(":info").failure, .usage, "needs an argument")
    }

    func testHelp() {
        var t = Transcript()
        let all = t.type(":help").output
        for c in ReplCommands.all { XCTAssertContains(all, c.usage) }
        XCTAssertEqual(t.type(":h sa").output, t.type(":help save").output)
        XCTAssertContains(t.type(":help :save").output, "`eqx run FILE` reproduces the session")
    }

    func testResetClearsEverything() {
        var t = Fixture.trained()
        XCTAssertNil(t.type(":set seed 4").failure)
        XCTAssertEqual(t.type(":res").output, "session cleared\n")
        XCTAssertEqual(t.session.canonicalScript, "eqx 1\nseed 0\n")
        XCTAssertEqual(t.type("small").failure, .invalidInput)
        XCTAssertNil(t.session.executor)
        // Names are free again.
        XCTAssertNil(t.type(Fixture.digits).failure)
    }

    func testSetSeedRerunsWhatDependsOnIt() {
        var t = Fixture.trained()
        let before = t.type("loss(small, digits.test)").output
        let r = t.type(":set seed 5")
        XCTAssertNil(r.failure, r.errors)
        XCTAssertContains(r.output, "trained small: 100 steps")
        XCTAssertContains(r.output, "seed 5\n")
        XCTAssertContains(t.session.canonicalScript, "seed 5\n")
        XCTAssertNotEqual(t.type("loss(small, digits.test)").output, before, "a new seed gives a new initialisation")
        XCTAssertEqual(t.type(":set seed -1").failure, .usage)
        XCTAssertContains(t.type(":set").output, "seed 5\n")
        // A typed seed statement is the same as :set seed.
        XCTAssertNil(t.type("seed 6").failure)
        XCTAssertContains(t.session.canonicalScript, "seed 6\n")
        XCTAssertNotContains(t.session.canonicalScript, "seed 5")
    }

    func testLoadAndReload() throws {
        let dir = try temporaryDirectory(self)
        let file = dir.appendingPathComponent("s.eqx")
        try "eqx 1\nseed 2\n\n# digits\ndata digits = builtin.digits\nlet w = 3\n".write(to: file, atomically: true, encoding: .utf8)
        var t = Transcript(ReplSession(options: ReplOptions(directory: dir, threads: 1)))
        let r = t.type(":load s.eqx")
        XCTAssertNil(r.failure, r.errors)
        XCTAssertEqual(r.output, "loaded s.eqx: 3 statements\n")
        XCTAssertEqual(t.type("w").output, "3\n")
        XCTAssertContains(t.session.canonicalScript, "seed 2\n")
        XCTAssertContains(t.session.canonicalScript, "# digits\ndata digits = builtin.digits\n")
        t.type("let typed = 1")
        try "eqx 1\ndata digits = builtin.digits\nlet w = 4\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertNil(t.type(":rel").failure)
        XCTAssertEqual(t.type("w").output, "4\n", ":reload reads the file again")
        XCTAssertEqual(t.type("typed").failure, .invalidInput, "statements typed since the load are dropped")
        XCTAssertEqual(t.type(":load missing.eqx").failure, .missingInput)
        XCTAssertEqual(t.type(":reset").failure, nil)
        XCTAssertEqual(t.type(":reload").failure, .usage)
    }

    func testSaveWritesTheCanonicalScript() throws {
        let dir = try temporaryDirectory(self)
        var t = Transcript(ReplSession(options: ReplOptions(directory: dir, threads: 1)))
        t.type("let a  =  1+2", "# a comment", "group   flip = mirror( horizontal )")
        let r = t.type(":save out.eqx")
        XCTAssertEqual(r.output, "saved 4 statements to out.eqx\n")
        let text = try String(contentsOf: dir.appendingPathComponent("out.eqx"), encoding: .utf8)
        XCTAssertEqual(text, "eqx 1\nseed 0\n\nlet a = 1 + 2\n\n# a comment\ngroup flip = mirror(horizontal)\n")
        XCTAssertEqual(t.type(":save").output, text, ":save without a file prints the script")
    }

    /// A file that cannot be written is an I/O error (74), not missing input (66); the message names the file
    /// and why, and the session goes on.
    func testSaveThatCannotWriteIsAnIOError() throws {
        let dir = try temporaryDirectory(self)
        try Data().write(to: dir.appendingPathComponent("plain"))
        var t = Transcript(ReplSession(options: ReplOptions(directory: dir, threads: 1)))
        XCTAssertNil(t.type(Fixture.digits).failure)
        let missing = t.type(":save no/such/dir/x.eqx")
        XCTAssertEqual(missing.failure, .ioError)
        XCTAssertEqual(missing.exitCode, 74)
        XCTAssertEqual(missing.errors, "error: cannot write \(dir.path)/no/such/dir/x.eqx: directory \(dir.path)/no/such/dir does not exist\n")
        let underFile = t.type(":save plain/x.eqx")
        XCTAssertEqual(underFile.failure, .ioError)
        XCTAssertContains(underFile.errors, "\(dir.path)/plain is not a directory")
        XCTAssertEqual(t.type(":save x.eqx").output, "saved 3 statements to x.eqx\n")
    }

    /// The same for a `save` statement: its checkpoint cannot be written.
    func testSaveStatementThatCannotWriteIsAnIOError() throws {
        let dir = try temporaryDirectory(self)
        try Data().write(to: dir.appendingPathComponent("plain"))
        var t = Transcript(ReplSession(options: ReplOptions(directory: dir, threads: 1, writesFiles: true)))
        for input in [Fixture.digits] + Fixture.mlp + [Fixture.trainSmall] { XCTAssertNil(t.type(input).failure) }
        let r = t.type("save small to \"\(dir.path)/plain/small.safetensors\"")
        XCTAssertEqual(r.failure, .ioError, r.errors)
        XCTAssertContains(r.errors, "\(dir.path)/plain")
    }
}
