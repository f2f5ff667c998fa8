import EqxIR
import EqxSyntax
import XCTest

/// `eqx run --set NAME=VALUE` replaces a top-level `let` in the tree: the program uses the new value, the
/// canonical text records it, and names or values that do not fit are diagnostics naming the `let`.
final class LetOverrideTests: XCTestCase {
    static let script = """
        eqx 1
        let epochs = 5
        let width = 4
        let lr = 0.05
        let tag = "paper"
        data digits = builtin.digits
        net mlp(w: 4) { flatten; linear -> w; relu; linear -> 10 }
        repeat 2 { train a = mlp(w: width) on digits.train { optimizer sgd(lr: lr); epochs epochs } }

        """

    func apply(_ overrides: [String]) -> (Script, [Diagnostic]) {
        let (script, syntax) = parse(SourceFile(name: "set.eqx", text: Self.script))
        XCTAssertEqual(syntax, [])
        return script.overridingLets(overrides.map { LetOverride($0)! })
    }

    func testOverridesReachTheProgramAndTheCanonicalText() throws {
        let (script, problems) = apply(["epochs=2", "width=8", "lr=1", "tag=\"ci\""])
        XCTAssertEqual(problems, [])
        let text = format(script)
        for line in ["let epochs = 2\n", "let width = 8\n", "let lr = 1\n", "let tag = \"ci\"\n"] {
            XCTAssertTrue(text.contains(line), text)
        }
        let (program, diagnostics) = Checker(file: SourceFile(name: "set.eqx", text: Self.script)).check(script)
        XCTAssertEqual(diagnostics, [])
        let trains = try XCTUnwrap(program).steps.compactMap { s -> TrainSpec? in if case .train(let t) = s { return t } else { return nil } }
        XCTAssertEqual(trains.map(\.epochs), [2, 2])
        XCTAssertEqual(trains.map(\.optimizer.learningRate), [1, 1])
        XCTAssertEqual(trains.first?.network.flattenedLayers.first { $0.kind.name == "linear" }?.outputShape, [8])
        // The canonical text checks to the same program: operative.eqx repeats the run.
        let again = parse(SourceFile(name: "operative.eqx", text: text)).0
        XCTAssertEqual(again.strippingRanges(), script.strippingRanges())
    }

    func testUnknownNamesAndBadValuesAreDiagnostics() {
        func ids(_ o: [String]) -> [String] { apply(o).1.map { "\($0.id) \($0.message)" } }
        XCTAssertEqual(ids(["epoch=2"]), ["E0412 --set epoch: the script has no top-level 'let epoch'"])
        XCTAssertEqual(apply(["epoch=2"]).1.first?.help, "did you mean 'epochs'?")
        XCTAssertEqual(ids(["epochs=2", "epochs=3"]).map { String($0.prefix(5)) }, ["E0412"])
        XCTAssertEqual(ids(["epochs=2.5"]), ["E0413 --set epochs=2.5: 'epochs' is an integer, the value is a number"])
        XCTAssertEqual(ids(["tag=3"]), ["E0413 --set tag=3: 'tag' is a string, the value is an integer"])
        XCTAssertEqual(ids(["epochs=1 + 1"]).map { String($0.prefix(5)) }, ["E0413"])
        XCTAssertEqual(ids(["epochs=\"unterminated"]).map { String($0.prefix(5)) }, ["E0413"])
        // A loop's own binding is not top-level: `r` cannot be set.
        XCTAssertEqual(ids(["r=1"]).map { String($0.prefix(5)) }, ["E0412"])
        // The diagnostic about a bad type points at the value written in the script.
        let d = apply(["epochs=2.5"]).1[0]
        let file = SourceFile(name: "set.eqx", text: Self.script)
        XCTAssertEqual(d.range.map { file.location(of: $0.start).line }, 2)
    }

    func testArgumentParsing() {
        XCTAssertEqual(LetOverride("epochs=2"), LetOverride(name: "epochs", value: "2"))
        XCTAssertEqual(LetOverride(" lr = 0.1 "), LetOverride(name: "lr", value: "0.1"))
        XCTAssertEqual(LetOverride("list=[1, 2]"), LetOverride(name: "list", value: "[1, 2]"))
        XCTAssertNil(LetOverride("epochs"))
        XCTAssertNil(LetOverride("=3"))
    }
}
