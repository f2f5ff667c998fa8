import EqxIR
import EqxSyntax
import XCTest

/// Report tables and plot figures are named by the script, never by line numbers: a comment or a statement
/// added above a report does not rename its table (the CSV file and the key in results.json).
final class OutputNameTests: XCTestCase {
    private let header = """
        eqx 1
        data digits = builtin.digits
        net mlp { flatten; linear -> 10 }
        train a = mlp on digits.train { epochs 1 }

        """

    private func check(_ body: String) -> (names: [String], diagnostics: [Diagnostic]) {
        let (program, diagnostics) = checkSource(SourceFile(name: "t.eqx", text: header + body))
        let names = (program?.steps ?? []).compactMap { step -> String? in
            switch step {
            case .report(let r): return "report " + r.table
            case .plot(let p): return "plot " + p.name
            case .summarize(let t): return "summary " + t
            case .train, .merge, .data, .save: return nil
            }
        }
        return (names, diagnostics)
    }

    private func names(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let (names, diagnostics) = check(body)
        XCTAssertEqual(diagnostics.filter { $0.severity == .error }.map(\.message), [], file: file, line: line)
        return names
    }

    func testNamesComeFromTheStatementNotItsLine() {
        let body = """
            report results = acc: accuracy(a, digits.test)
            report acc: accuracy(a, digits.test), l: loss(a, digits.test)
            report accuracy(a, digits.test)
            plot a.curve
            plot a.curve as "Training of A (lr 0.1)"
            plot training = a.curve

            """
        let expected = ["report results", "report acc_l", "report accuracy_a_digits_test", "plot a",
                        "plot training_of_a_lr_0_1", "plot training"]
        XCTAssertEqual(names(body), expected)
        XCTAssertEqual(names("# a comment\nreport x: 1\n\n" + body).dropFirst().map { $0 }, expected, "no name moved")
    }

    func testDerivedNamesAreUniqueAndNeverTakeASpelledOutName() {
        // The first report would derive `x`, which the third spells out: it gets `x_2`; the second derives `x` → `x_3`.
        XCTAssertEqual(names("report x: 1\nreport x: 2\nreport x = y: 3\n"), ["report x_2", "report x_3", "report x"])
        // A table and its loop summary share a file stem: `t` and `t_summary` never both come from different reports.
        XCTAssertEqual(names("repeat 2 { report t = v: 1 }\nreport t_summary: 2\n"),
                       ["report t", "report t", "summary t", "report t_summary_2"])
        // Reports and plots are separate files (.csv, .svg), so they may share a name.
        XCTAssertEqual(names("report curve = v: 1\nplot curve = a.curve\n"), ["report curve", "plot curve"])
    }

    /// At most 32 characters, cut between words.
    func testLongOrOddLabelsGiveShortFileNames() {
        XCTAssertEqual(names("report first_very_long_label: 1, second_very_long_label: 2, third: 3\n"),
                       ["report first_very_long_label_second"])
        XCTAssertEqual(names("plot a.curve as \"±√ !\"\n"), ["plot plot"])
        XCTAssertEqual(names("plot a.curve as \"2024 run\"\n"), ["plot plot_2024_run"], "a file name starts with a letter")
    }

    func testAStatementInALoopKeepsOneName() {
        XCTAssertEqual(names("repeat 3 { report acc: accuracy(a, digits.test) }\n"),
                       ["report acc", "report acc", "report acc", "summary acc"])
    }

    func testASpelledOutNameUsedTwiceIsAnErrorAtTheSecond() throws {
        let text = "report same = x: 1\nreport same = y: 2\n"
        let (_, diagnostics) = check(text)
        let e = try XCTUnwrap(diagnostics.first { $0.id == "E0411" }, "\(diagnostics)")
        let file = SourceFile(name: "t.eqx", text: header + text)
        let start = file.location(of: try XCTUnwrap(e.range).start)
        XCTAssertEqual(start.line, 6)
        XCTAssertEqual(start.column, 8)
        XCTAssertTrue(e.message.contains("line 5"), e.message)
        // Its loop summary's name is taken too.
        XCTAssertNotNil(check("repeat 2 { report t = v: 1 }\nreport t_summary = w: 2\n").diagnostics.first { $0.id == "E0411" })
    }
}
