import Foundation
import XCTest
import EqxTestSupport

/// `eqx check`, `eqx fmt` and the dumps on the examples and on broken scripts.
final class CLICheckTests: XCTestCase {
    /// An environment whose data search path holds stand-ins for the named datasets the examples use
    /// (60,000 + 10,000 blank images of 28×28, labels 0…9), so the examples check the same on every
    /// machine, with the real data or without it (`eqx check` verifies no checksums).
    private func namedDataStandIns() throws -> [String: String] {
        let root = try temporaryDirectory(self, "eqx-standins")
        func bigEndian(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
        for dataset in ["mnist", "fashion-mnist"] {
            let dir = root.appendingPathComponent("data/\(dataset)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (prefix, count) in [("train", 60_000), ("t10k", 10_000)] {
                // Full-size files (the checker compares the header with the file's size): zero images,
                // written sparse by extending the file, and labels 0…9.
                let images = dir.appendingPathComponent("\(prefix)-images-idx3-ubyte")
                try Data([0, 0, 8, 3] + bigEndian(count) + bigEndian(28) + bigEndian(28)).write(to: images)
                let handle = try FileHandle(forWritingTo: images)
                try handle.truncate(atOffset: UInt64(16 + count * 28 * 28))
                try handle.close()
                try Data([0, 0, 8, 1] + bigEndian(count) + (0..<count).map { UInt8($0 % 10) })
                    .write(to: dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
            }
        }
        return ["EQX_DATA": root.appendingPathComponent("data").path, "HOME": root.path,
                "EQX_SYSTEM_DATA": root.appendingPathComponent("none").path, "XDG_CACHE_HOME": ""]
    }

    func testEveryExampleChecksAndIsCanonical() throws {
        let examples = EqxBinary.examples
        XCTAssertGreaterThanOrEqual(examples.count, 4)
        let environment = try namedDataStandIns()
        func eqx(_ arguments: [String]) throws -> ProcessResult {
            try EqxProcess(arguments, environment: environment).wait(timeout: 120)
        }
        for url in examples {
            let check = try eqx(["check", url.path])
            XCTAssertEqual(check.status, 0, "\(url.lastPathComponent): \(check.stderr)")
            XCTAssertEqual(check.stdout, "\(url.path): ok\n")
            XCTAssertEqual(check.stderr, "", url.lastPathComponent)
            let fmt = try eqx(["fmt", "--check", url.path])
            XCTAssertEqual(fmt.status, 0, "\(url.lastPathComponent) is not canonical: \(fmt.stderr)")
            // `fmt` prints exactly the file back.
            XCTAssertEqual(try eqx(["fmt", url.path]).stdout, try String(contentsOf: url, encoding: .utf8), url.lastPathComponent)
            XCTAssertEqual(try eqx(["dump-ir", url.path]).status, 0, url.lastPathComponent)
            XCTAssertEqual(try eqx(["dump-ast", url.path]).status, 0, url.lastPathComponent)
        }
        // All at once, as the README shows.
        XCTAssertEqual(try eqx(["check"] + examples.map(\.path)).status, 0)
    }

    static let brokenShape = """
        eqx 1
        data digits = builtin.digits
        net cnn {
          conv 3x3 -> 16 pad 1
          relu
          pool: maxpool 2
          fc: linear -> 10 in 128
        }
        train t = cnn on digits.train { epochs 1 }

        """

    static let brokenSyntax = """
        eqx 1
        data digits = builtin.digits
        net cnn {
          conv 3x3 -> 16 pad 1
        train t = cnn on digits.train { epochs 1

        """

    func testBrokenScriptsExit65WithPositions() throws {
        let dir = try temporaryDirectory(self)
        let shape = dir.appendingPathComponent("shape.eqx"), syntax = dir.appendingPathComponent("syntax.eqx")
        try write(Self.brokenShape, to: shape)
        try write(Self.brokenSyntax, to: syntax)
        for sub in ["check", "run", "dump-ir"] {
            var args = [sub, shape.path]
            if sub == "run" { args += ["--out", dir.appendingPathComponent("out").path] }
            let r = try eqx(args)
            XCTAssertEqual(r.status, 65, "eqx \(sub): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("error[E0301]: shape mismatch in 'fc': expected input [N, 128], got [N, 256]"), r.stderr)
            XCTAssertTrue(r.stderr.contains("--> \(shape.path):7:7"), r.stderr)
            XCTAssertTrue(r.stderr.contains("= note: the input comes from 'pool' at \(shape.path):6:3"), r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/results.json").path),
                       "an invalid script runs nothing")
        let r = try eqx(["check", syntax.path])
        XCTAssertEqual(r.status, 65)
        XCTAssertNotNil(r.stderr.range(of: "--> \(NSRegularExpression.escapedPattern(for: syntax.path)):\\d+:\\d+",
                                       options: .regularExpression), r.stderr)
        XCTAssertEqual(try eqx(["fmt", "--check", syntax.path]).status, 65)
        // Several files: the good one is ok, the status is the worst.
        let mixed = try eqx(["check", EqxBinary.examples[0].path, shape.path])
        XCTAssertEqual(mixed.status, 65)
        XCTAssertTrue(mixed.stdout.contains("\(EqxBinary.examples[0].path): ok"), mixed.stdout)
    }

    /// Warnings come from the checker, so `eqx check` and `eqx run` print the same one, once, and neither
    /// fails: W0503 here replaces the note the executor used to print before an equivariant training.
    func testWarningsPrintOnceInCheckAndRunAndExitZero() throws {
        let dir = try temporaryDirectory(self)
        let script = dir.appendingPathComponent("lift.eqx")
        try write("""
            eqx 1
            data digits = builtin.digits
            group rot = rotations(4)
            net lift {
              conv 1x1 -> 8
              global avgpool
              linear -> 10
            }
            train t = lift on digits.train { mode equivariant(rot, channels: regular); steps 1 }

            """, to: script)
        let check = try eqx(["check", script.path])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout, "\(script.path): ok (1 warning)\n")
        XCTAssertTrue(check.stderr.contains("warning[W0503]: E leaves 'conv1' almost no freedom under rotations(4)"), check.stderr)
        XCTAssertTrue(check.stderr.contains("--> \(script.path):5:3"), check.stderr)
        let run = try eqx(["run", script.path, "--out", dir.appendingPathComponent("out").path, "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr.components(separatedBy: "W0503").count, 2, run.stderr)
        XCTAssertFalse(run.stdout.contains("free parameters"), "no second, runtime copy: \(run.stdout)")
    }

    func testNonUTF8AndEmptyScriptsExit65() throws {
        let dir = try temporaryDirectory(self)
        let bad = dir.appendingPathComponent("bytes.eqx"), empty = dir.appendingPathComponent("empty.eqx")
        try Data([0x65, 0x71, 0x78, 0x20, 0x31, 0x0A, 0x6C, 0x65, 0x74, 0x20, 0x78, 0x20, 0x3D, 0x20, 0xFF, 0x0A]).write(to: bad)
        try Data().write(to: empty)
        let r = try eqx(["check", bad.path])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.stderr.contains("error[E0101]") && r.stderr.contains("\(bad.path):2:9"), r.stderr)
        let e = try eqx(["check", empty.path])
        XCTAssertEqual(e.status, 65)
        XCTAssertTrue(e.stderr.contains("error[E0201]: empty script"), e.stderr)
    }

    func testJSONDiagnosticsParse() throws {
        let dir = try temporaryDirectory(self)
        let shape = dir.appendingPathComponent("shape.eqx")
        try write(Self.brokenShape, to: shape)
        let r = try eqx(["check", "--diagnostics-format", "json", shape.path])
        XCTAssertEqual(r.status, 65)
        let parsed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        let list = try XCTUnwrap(parsed as? [[String: Any]])
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list[0]["id"] as? String, "E0301")
        XCTAssertEqual(list[0]["severity"] as? String, "error")
        XCTAssertEqual(list[0]["line"] as? Int, 7)
        XCTAssertEqual(list[0]["column"] as? Int, 7)
        XCTAssertEqual(list[0]["file"] as? String, shape.path)
        let notes = try XCTUnwrap(list[0]["notes"] as? [[String: Any]])
        XCTAssertEqual(notes.first?["line"] as? Int, 6)
        // A clean script is an empty array, still valid JSON.
        let ok = try eqx(["check", "--diagnostics-format", "json", EqxBinary.examples[0].path])
        XCTAssertEqual(ok.status, 0)
        let empty = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [Any]
        XCTAssertEqual(empty?.count, 0, ok.stdout)
        // Fix-its travel as data.
        let typo = dir.appendingPathComponent("typo.eqx")
        try write("eqx 1\ndata digits = builtin.digits\nnet cnn {\n  flatten\n  rleu\n  linear -> 10\n}\ntrain t = cnn on digits.train { epochs 1 }\n", to: typo)
        let t = try eqx(["check", "--diagnostics-format=json", typo.path])
        let fixits = try XCTUnwrap(((try JSONSerialization.jsonObject(with: Data(t.stdout.utf8)) as? [[String: Any]])?.first?["fixits"]) as? [[String: Any]])
        XCTAssertEqual(fixits.first?["replacement"] as? String, "relu")
        XCTAssertEqual(fixits.first?["line"] as? Int, 5)
    }

    func testCheckFromStandardInput() throws {
        let ok = try eqx(["check", "-"], stdin: try Data(contentsOf: EqxBinary.examples[0]))
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let bad = try eqx(["check", "-"], stdin: Data(Self.brokenShape.utf8))
        XCTAssertEqual(bad.status, 65)
        XCTAssertTrue(bad.stderr.contains("<stdin>:7:7"), bad.stderr)
    }

    func testFmtCheckRejectsNonCanonicalText() throws {
        let dir = try temporaryDirectory(self)
        let messy = dir.appendingPathComponent("messy.eqx")
        try write("eqx 1\ndata   digits=builtin.digits\nnet mlp { flatten; linear -> 10 }\n", to: messy)
        let r = try eqx(["fmt", "--check", messy.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("messy.eqx"), r.stderr)
        XCTAssertEqual(try eqx(["fmt", "--write", messy.path]).status, 0)
        XCTAssertEqual(try eqx(["fmt", "--check", messy.path]).status, 0)
        XCTAssertEqual(try eqx(["check", messy.path]).status, 0)
    }

    /// `eqx check` of a 200-line script, as a process (start-up included).
    func testTwoHundredLineScriptChecksInWellUnderASecond() throws {
        let dir = try temporaryDirectory(self)
        var lines = ["eqx 1", "data digits = builtin.digits", "group rot = rotations(4)",
                     "net cnn(width: 8) {", "  conv 3x3 -> width pad 1", "  relu", "  global avgpool", "  linear -> 10", "}"]
        var i = 0
        while lines.count + 7 <= 200 {
            lines += ["train t\(i) = cnn(width: \(4 * (1 + i % 4))) on digits.train {", "  mode equivariant(rot)",
                      "  optimizer sgd(lr: 0.05, momentum: 0.9)", "  batch 32", "  epochs 2", "}",
                      "report a\(i): accuracy(t\(i), digits.test)"]
            i += 1
        }
        while lines.count < 200 { lines.append("# padding") }
        let script = dir.appendingPathComponent("long.eqx")
        try write(lines.joined(separator: "\n") + "\n", to: script)
        var best = Double.infinity
        for _ in 0..<3 {
            let r = try eqx(["check", script.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            best = min(best, r.seconds)
        }
        print(String(format: "eqx check on a 200-line script: %.0f ms (process included)", best * 1000))
        XCTAssertLessThan(best, 5, "generous bound; the goal is well under a second")
    }
}
