import Foundation
import XCTest
import EqxTestSupport

/// Version, help, usage errors and missing files: the parts of the CLI that need no script.
final class CLIUsageTests: XCTestCase {
    func testVersion() throws {
        let r = try eqx(["--version"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.hasPrefix("eqx "), r.stdout)
        XCTAssertNotNil(r.stdout.range(of: #"^eqx \d+\.\d+\.\d+\s*$"#, options: .regularExpression), r.stdout)
    }

    /// Every subcommand `eqx --help` lists (and their own subcommands) answers --help with exit 0.
    func testHelpOnEverySubcommand() throws {
        let top = try eqx(["--help"])
        XCTAssertEqual(top.status, 0)
        XCTAssertTrue(top.stdout.contains("Exit codes: 0 ok, 64 usage, 65 invalid script"), top.stdout)
        let subcommands = Self.subcommands(in: top.stdout)
        XCTAssertTrue(Set(["run", "check", "fmt", "dump-ast", "dump-ir"]).isSubset(of: subcommands), "\(subcommands)")
        var visited = 0
        for sub in subcommands.sorted() {
            let r = try eqx([sub, "--help"])
            XCTAssertEqual(r.status, 0, "eqx \(sub) --help: \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("USAGE: eqx \(sub)"), "eqx \(sub) --help:\n\(r.stdout)")
            visited += 1
            for nested in Self.subcommands(in: r.stdout) {
                let n = try eqx([sub, nested, "--help"])
                XCTAssertEqual(n.status, 0, "eqx \(sub) \(nested) --help")
                XCTAssertTrue(n.stdout.contains("USAGE: eqx \(sub) \(nested)"), n.stdout)
                visited += 1
            }
        }
        XCTAssertGreaterThanOrEqual(visited, 6)
        // `eqx help run` is the same as `eqx run --help`.
        XCTAssertEqual(try eqx(["help", "run"]).stdout, try eqx(["run", "--help"]).stdout)
    }

    /// Names in the SUBCOMMANDS section of a help text.
    static func subcommands(in help: String) -> Set<String> {
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        var names = Set<String>()
        for line in help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty || line.hasPrefix("  See ") { break }
            // Entries start at two spaces; wrapped descriptions are indented much further.
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
            if let name = line.split(separator: " ").first { names.insert(String(name)) }
        }
        names.remove("help")
        return names
    }

    func testUsageErrorsExit64() throws {
        for args in [["check", "--bogus", "examples/quickstart.eqx"], ["frobnicate"], ["run", "--threads", "0", "examples/quickstart.eqx"],
                     ["check"], ["run"], ["run", "--seed", "minus-one", "examples/quickstart.eqx"],
                     ["run", "--seed", "9007199254740993", "examples/quickstart.eqx"],
                     ["check", "--diagnostics-format", "xml", "examples/quickstart.eqx"], ["data", "get", "imagenet", "--to", "/nonexistent"]] {
            let r = try eqx(args)
            XCTAssertEqual(r.status, 64, "eqx \(args.joined(separator: " ")): \(r.stderr)")
            XCTAssertFalse(r.stderr.isEmpty, "a usage error explains itself: \(args)")
        }
    }

    func testMissingScriptExits66NamingIt() throws {
        let dir = try temporaryDirectory(self)
        let missing = dir.appendingPathComponent("no-such-script.eqx").path
        for sub in ["check", "run", "fmt", "dump-ast", "dump-ir"] {
            let r = try eqx([sub, missing])
            XCTAssertEqual(r.status, 66, "eqx \(sub) on a missing file: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("no-such-script.eqx"), "eqx \(sub): \(r.stderr)")
        }
        // A directory is not a script either.
        XCTAssertEqual(try eqx(["check", dir.path]).status, 66)
    }
}
