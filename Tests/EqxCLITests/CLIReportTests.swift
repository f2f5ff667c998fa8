import Foundation
import XCTest
import EqxTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `report.html`, the figures in it, `results.json` as the commit point, the run directory's lock, `eqx open`
/// and tables that never wrap in the terminal.
final class CLIReportTests: XCTestCase {
    /// Two repetitions of two trainings and two merges, a table, and every kind of figure.
    static let script = """
    eqx 1
    seed 3
    group flip = mirror(horizontal)
    data digits = builtin.digits
    net mlp {
      flatten
      linear -> 16
      relu
      linear -> 10
    }
    repeat 2 {
      train a = mlp on digits.train {
        optimizer sgd(lr: 0.1)
        batch 64
        epochs 1
        track distance_to_E(flip) every 5
      }
      train b = mlp on digits.train {
        mode equivariant(flip)
        optimizer sgd(lr: 0.1)
        batch 64
        epochs 1
        track distance_to_E(flip) every 5
      }
      merge s = a with flip(a) {
        match activations on digits.train[0..199]
        alpha 0..1 step 0.25
        evaluate digits.test
      }
      merge p = a with b {
        match weights
        alpha 0..1 step 0.25
        evaluate digits.test
      }
      report barriers = self: s.barrier, pair: p.barrier
      plot s.curve, p.curve as "merge curves"
      plot strip = mlp.self: s.barrier, mlp.pair: p.barrier as "barriers"
      plot a.distance, b.distance
    }

    """

    func run(_ out: URL, _ extra: [String] = [], script: String = CLIReportTests.script,
             environment: [String: String] = [:]) throws -> ProcessResult {
        let file = out.deletingLastPathComponent().appendingPathComponent(out.lastPathComponent + ".eqx")
        try write(script, to: file)
        return try EqxProcess(["run", file.path, "--out", out.path, "--threads", "1"] + extra, environment: environment)
            .wait(timeout: 300)
    }

    func files(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func testReportHoldsEveryFigureTableAndLink() throws {
        let out = try temporaryDirectory(self, "eqx-report").appendingPathComponent("run")
        let r = try run(out)
        XCTAssertEqual(r.status, 0, r.stderr)
        let names = try files(out)
        let svgs = names.filter { $0.hasSuffix(".svg") }
        // One figure per plot statement (not per repetition): loss and accuracy of the merges, the strip, the distances.
        // Named by `plot NAME =`, else by the title, else by the labels; never by the line.
        XCTAssertEqual(svgs, ["a_b.svg", "merge_curves.svg", "merge_curves_accuracy.svg", "strip.svg"])
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertEqual(count("<figure ", in: html), svgs.count)
        for svg in svgs { XCTAssertTrue(html.contains("href=\"\(svg)\""), svg) }
        let csvs = names.filter { $0.hasSuffix(".csv") }
        XCTAssertEqual(count("<table class=\"sortable results\"", in: html), csvs.count)
        for csv in csvs { XCTAssertTrue(html.contains("href=\"\(csv)\""), csv) }
        for link in ["results.json", "run.json", "operative.eqx", "checkpoints/a_0.safetensors"] {
            XCTAssertTrue(html.contains("href=\"\(link)\""), link)
        }
        XCTAssertTrue(html.contains("<span class=\"k\">merge</span>"), "the script is highlighted")
        XCTAssertEqual(count("<table class=\"sortable permutations\"", in: html), 4, "one per merge and repetition")
        for reference in ["src=\"http", "href=\"http", "url(http", "@import"] {
            XCTAssertFalse(html.contains(reference), "needs no network: \(reference)")
        }
        XCTAssertTrue(r.stdout.contains("report.html"))
        // The merge figure aggregates the repetitions: legends from the user's names, one band per series.
        let merge = try String(contentsOf: out.appendingPathComponent("merge_curves.svg"), encoding: .utf8)
        XCTAssertEqual(count("class=\"band\"", in: merge), 2)
        XCTAssertTrue(merge.contains("data-name=\"s, test\""), merge)
        XCTAssertFalse(merge.contains("s#0"), "instance names stay out of legends")
        let strip = try String(contentsOf: out.appendingPathComponent("strip.svg"), encoding: .utf8)
        XCTAssertEqual(count("class=\"strip\"", in: strip), 2)
        let distance = try String(contentsOf: out.appendingPathComponent("a_b.svg"), encoding: .utf8)
        XCTAssertTrue(distance.contains("class=\"zero-floor\""), "equivariant training stays exactly in E")
        XCTAssertEqual(try jsonObject(out.appendingPathComponent("results.json"))["complete"] as? Bool, true)

        let opened = try eqx(["open", out.path, "--print"])
        XCTAssertEqual(opened.status, 0, opened.stderr)
        XCTAssertEqual(opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines), out.appendingPathComponent("report.html").path)
        XCTAssertTrue(try eqx(["open", out.deletingLastPathComponent().path, "--print"]).stdout.hasSuffix("run/report.html\n"))
        XCTAssertEqual(try eqx(["open", out.appendingPathComponent("nothing").path]).status, 66)
    }

    /// The page loads in headless Chromium with no console message, and every figure and table is in the DOM.
    func testReportRendersInHeadlessChromium() throws {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let chromium = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { return XCTFail("chromium is not installed, and CI=true needs this test") }
            print("skipping: chromium is not installed (Debian package chromium)")
            throw XCTSkip("chromium is not installed")
        }
        let out = try temporaryDirectory(self, "eqx-chromium").appendingPathComponent("run")
        XCTAssertEqual(try run(out).status, 0)
        let page = out.appendingPathComponent("report.html")
        let profile = try temporaryDirectory(self, "eqx-chromium-profile")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom", page.absoluteString]
        let dom = profile.appendingPathComponent("dom.html"), log = profile.appendingPathComponent("log.txt")
        FileManager.default.createFile(atPath: dom.path, contents: nil)
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: dom)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate(); XCTFail("chromium did not finish") }
        process.waitUntilExit()
        let rendered = try String(contentsOf: dom, encoding: .utf8)
        let messages = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.contains("CONSOLE") }
        XCTAssertEqual(messages, [], "console messages while loading the report")
        let svgs = try files(out).filter { $0.hasSuffix(".svg") }
        XCTAssertEqual(count("<figure ", in: rendered), svgs.count, "every figure in the rendered page")
        XCTAssertEqual(count("<svg ", in: rendered), svgs.count)
        for svg in svgs {
            XCTAssertTrue(rendered.contains("data-figure=\"\(svg.dropLast(4))\""), svg)
        }
        let csvs = try files(out).filter { $0.hasSuffix(".csv") }
        XCTAssertEqual(count("class=\"sortable results\"", in: rendered), csvs.count, "every table in the rendered page")
        XCTAssertTrue(rendered.contains("tabindex=\"0\""), "the sorting script ran and made the column heads focusable")
    }

    func testResultsAreNotCompleteWhenTheReportCannotBeWritten() throws {
        let out = try temporaryDirectory(self, "eqx-unwritable").appendingPathComponent("run")
        // A directory where report.html should go: renaming the finished file onto it fails.
        try FileManager.default.createDirectory(at: out.appendingPathComponent("report.html/x"), withIntermediateDirectories: true)
        let r = try run(out)
        XCTAssertEqual(r.status, 74, r.stderr)
        XCTAssertTrue(r.stderr.contains(out.appendingPathComponent("report.html").path), r.stderr)
        let results = try jsonObject(out.appendingPathComponent("results.json"))
        XCTAssertEqual(results["complete"] as? Bool, false)
        XCTAssertNotNil((results["tables"] as? [String: Any])?["barriers"], "the results are kept")
        XCTAssertTrue(try files(out).contains("barriers.csv"))
        XCTAssertEqual(try jsonObject(out.appendingPathComponent("run.json"))["complete"] as? Bool, false)
    }

    func testResultsAreNotCompleteWhenAPlotCannotBeWritten() throws {
        let out = try temporaryDirectory(self, "eqx-unwritable-plot").appendingPathComponent("run")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("strip.svg/x"), withIntermediateDirectories: true)
        let r = try run(out)
        XCTAssertEqual(r.status, 74, r.stderr)
        XCTAssertTrue(r.stderr.contains("strip.svg"), r.stderr)
        XCTAssertEqual(try jsonObject(out.appendingPathComponent("results.json"))["complete"] as? Bool, false)
        // The page that was written says so.
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("class=\"status incomplete\""))
    }

    func testASecondWriterIsRefused() throws {
        let out = try temporaryDirectory(self, "eqx-locked").appendingPathComponent("run")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let fd = open(out.appendingPathComponent(".eqx.lock").path, O_RDWR | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        let r = try run(out)
        XCTAssertEqual(r.status, 73, r.stderr)
        XCTAssertTrue(r.stderr.contains("is being written by another eqx process"), r.stderr)
        XCTAssertFalse(try files(out).contains("results.json"))
        close(fd)
        XCTAssertEqual(try run(out).status, 0, "the lock is free again")
    }

    /// Another run into the same --out first removes the files of the run that was there (not the cache).
    func testAnotherRunIsNotMixedIntoTheSameDirectory() throws {
        let out = try temporaryDirectory(self, "eqx-mixed").appendingPathComponent("run")
        let first = "eqx 1\nreport x: 1\nplot x: 2\n"
        XCTAssertEqual(try run(out, ["--seed", "1"], script: first).status, 0)
        let firstID = try XCTUnwrap(try jsonObject(out.appendingPathComponent("results.json"))["run_id"] as? String)
        let firstFiles = try files(out)
        XCTAssertTrue(firstFiles.contains("x.svg"), "\(firstFiles)")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("cache"), withIntermediateDirectories: true)
        try write("keep", to: out.appendingPathComponent("cache/entry"))

        let second = try run(out, ["--seed", "2"], script: "eqx 1\nreport y: 3\n")
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("held run \(firstID); its files were removed"), second.stdout)
        let results = try jsonObject(out.appendingPathComponent("results.json"))
        XCTAssertNotEqual(results["run_id"] as? String, firstID)
        XCTAssertEqual(try jsonObject(out.appendingPathComponent("run.json"))["run_id"] as? String, results["run_id"] as? String)
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("operative.eqx"), encoding: .utf8).contains("seed 2"))
        XCTAssertEqual(try files(out).filter { $0.hasSuffix(".svg") || $0.hasSuffix(".csv") }, ["y.csv"],
                       "nothing of the first run is left")
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("y.csv"), encoding: .utf8).hasPrefix("y\r\n"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("cache/entry").path), "the cache is kept")

        // The same run again writes the same bytes and removes nothing.
        let before = try Data(contentsOf: out.appendingPathComponent("results.json"))
        let again = try run(out, ["--seed", "2"], script: "eqx 1\nreport y: 3\n")
        XCTAssertEqual(again.status, 0)
        XCTAssertFalse(again.stdout.contains("held run"))
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("results.json")), before)
    }

    /// A table wider than the terminal is transposed when that fits, else split into blocks; no line is wider.
    func testWideTablesAreTransposedOrSplitNeverWrapped() throws {
        let items = (1...12).map { "column_\($0): \($0).25" }.joined(separator: ", ")
        for (repetitions, expectSplit) in [(2, false), (12, true)] {
            let out = try temporaryDirectory(self, "eqx-wide").appendingPathComponent("run")
            let r = try run(out, [], script: "eqx 1\nrepeat \(repetitions) {\n  report \(items)\n}\n", environment: ["COLUMNS": "60"])
            XCTAssertEqual(r.status, 0, r.stderr)
            for line in r.stdout.split(separator: "\n") where !line.hasPrefix("run ") && !line.contains("/") {
                XCTAssertLessThanOrEqual(line.count, 60, "a line wider than the terminal: \(line)")
            }
            XCTAssertEqual(r.stdout.contains("columns 2–"), expectSplit, r.stdout)
            XCTAssertTrue(r.stdout.contains("column_12"), r.stdout)
            if !expectSplit { XCTAssertTrue(r.stdout.contains("  column_7 "), "transposed: one line per column\n\(r.stdout)") }
        }
    }
}
