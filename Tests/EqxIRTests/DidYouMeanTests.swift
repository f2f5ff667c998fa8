import EqxIR
import EqxSyntax
import XCTest

/// A misspelt name gets "did you mean" and a fix-it that replaces exactly the misspelling; applying the
/// fix-it gives a script that checks cleanly.
final class DidYouMeanTests: XCTestCase {
    static let base = """
        eqx 1
        data digits = builtin.digits
        group flip = mirror(horizontal)
        net cnn(width: 8) {
          conv 3x3 -> width pad 1
          relu
          global avgpool
          linear -> 10
        }
        train t = cnn on digits.train { epochs 1 }
        merge m = t with flip(t) { match weights }

        """

    /// (statement with one typo, id, the typo, the suggestion)
    static let cases: [(String, String, String, String)] = [
        ("train a = cnnn on digits.train { epochs 1 }", "E0401", "cnnn", "cnn"),
        ("train a = cnn on digitz.train { epochs 1 }", "E0401", "digitz", "digits"),
        ("train a = cnn on digits.train { mode augmented(flipp) }", "E0401", "flipp", "flip"),
        ("net b {\n  conv 3x3 -> 4\n  rleu\n  global avgpool\n  linear -> 10\n}\ntrain a = b on digits.train { epochs 1 }", "E0408", "rleu", "relu"),
        ("group g = mirorr(vertical)", "E0409", "mirorr", "mirror"),
        ("report acuracy(t, digits.test)", "E0409", "acuracy", "accuracy"),
        ("train a = cnn(widht: 4) on digits.train { epochs 1 }", "E0406", "widht", "width"),
        ("train a = cnn on digits.train { epoch 1 }", "E0404", "epoch", "epochs"),
        ("train a = cnn on digits.train { optimizer sgd(lr: 0.1, momentun: 0.9) }", "E0406", "momentun", "momentum"),
        ("train a = cnn on digits.train { optimizer sdg(lr: 0.1) }", "E0404", "sdg", "sgd"),
        ("train a = cnn on digits.train { loss crossentropi }", "E0404", "crossentropi", "crossentropy"),
        ("train a = cnn on digits.train { mode nomnal }", "E0404", "nomnal", "nominal"),
        ("data d = builtin.digits {\n  resise 6x6\n}", "E0404", "resise", "resize"),
        ("net b {\n  conv 3x3 -> 4 strid 1\n  global avgpool\n  linear -> 10\n}\ntrain a = b on digits.train { epochs 1 }", "E0404", "strid", "stride"),
        ("group g = mirror(horizontl)", "E0404", "horizontl", "horizontal"),
        ("report m.bariier", "E0404", "bariier", "barrier"),
        ("report t.final_los", "E0404", "final_los", "final_loss"),
    ]

    func testEveryMisspellingGetsASuggestionAndAFixItThatRepairsTheScript() {
        for (statement, id, typo, suggestion) in Self.cases {
            let text = Self.base + statement + "\n"
            let (file, _, diagnostics) = checkText(text)
            let errors = diagnostics.filter { $0.severity == .error }
            guard errors.count == 1, let d = errors.first else {
                XCTFail("\(statement): expected one error, got\n" + DiagnosticRenderer().render(diagnostics, in: file)); continue
            }
            XCTAssertEqual(d.id, id, statement)
            XCTAssertEqual(d.help, "did you mean '\(suggestion)'?", statement)
            guard let fix = d.fixIts.first, d.fixIts.count == 1 else {
                XCTFail("\(statement): \(d.id) '\(d.message)' has no fix-it"); continue
            }
            XCTAssertEqual(String(decoding: file.bytes[fix.range.start..<fix.range.end], as: UTF8.self), typo, statement)
            XCTAssertEqual(fix.replacement, suggestion, statement)
            var bytes = file.bytes
            bytes.replaceSubrange(fix.range.start..<fix.range.end, with: Array(fix.replacement.utf8))
            let repaired = SourceFile(name: "fixed.eqx", bytes: bytes)
            let (_, after) = checkSource(repaired)
            XCTAssertFalse(after.contains { $0.severity == .error }, "\(statement) after the fix-it:\n"
                           + DiagnosticRenderer().render(after, in: repaired))
        }
    }

    /// Far-off names get no suggestion rather than a misleading one.
    func testNoSuggestionForUnrelatedNames() {
        let (_, _, diagnostics) = checkText(Self.base + "train a = xyzzyplugh on digits.train { epochs 1 }\n")
        XCTAssertEqual(diagnostics.map(\.id), ["E0401"])
        XCTAssertNil(diagnostics.first?.help)
        XCTAssertEqual(diagnostics.first?.fixIts, [])
    }
}
