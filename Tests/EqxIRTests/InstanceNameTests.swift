import EqxIR
import EqxSyntax
import XCTest

/// Two declarations never share an instance id (which names random streams, cache keys, checkpoints and
/// result keys), whatever their names and however the loops around them are written.
final class InstanceNameTests: XCTestCase {
    private let header = """
        eqx 1
        data digits = builtin.digits
        net mlp { flatten; linear -> 10 }

        """

    private func ids(_ body: String) throws -> [String] {
        let (program, diagnostics) = checkSource(SourceFile(name: "t.eqx", text: header + body))
        let errors = diagnostics.filter { $0.severity == .error }
        XCTAssertTrue(errors.isEmpty, "\(errors.map(\.message))")
        let p = try XCTUnwrap(program)
        // The header's `data digits` is left out.
        return p.steps.dropFirst().compactMap { step -> String? in
            switch step {
            case .train(let t): return "train \(t.id) \(t.seedName)"
            case .merge(let m): return "merge \(m.id) \(m.seedName)"
            case .data(let d): return "data \(d.id)"
            case .report, .plot, .save, .summarize: return nil
            }
        }
    }

    private func assertUnique(_ ids: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(ids).count, ids.count, "shared instance ids: \(ids)", file: file, line: line)
    }

    func testSameTrainNameInTwoForLoops() throws {
        let got = try ids("""
            for i in [0] { train s = mlp on digits.train { epochs 1 } }
            for i in [0] { train s = mlp on digits.train { epochs 2 } }
            """)
        XCTAssertEqual(got, ["train s[i=0] s[i=0]", "train s~2[i=0] s~2[i=0]"])
    }

    func testSameMergeNameInTwoForLoops() throws {
        let got = try ids("""
            train a = mlp on digits.train { epochs 1 }
            train b = mlp on digits.train { epochs 1 }
            for i in [0] { merge s = a with b { match weights; evaluate digits.test } }
            for i in [0] { merge s = b with a { match weights; evaluate digits.test } }
            report x: 1
            """)
        assertUnique(got)
        XCTAssertTrue(got.contains("merge s[i=0] s[i=0]") && got.contains("merge s~2[i=0] s~2[i=0]"), "\(got)")
    }

    func testSameNameInTwoRepeats() throws {
        let got = try ids("""
            repeat 2 { train s = mlp on digits.train { epochs 1 } }
            repeat 3 { train s = mlp on digits.train { epochs 1 } }
            """)
        XCTAssertEqual(got.count, 5)
        assertUnique(got)
    }

    func testRepeatAndForWithOverlappingValues() throws {
        // Loop 2's i = 1 would collide with loop 1's i = 1: the whole declaration is renamed, not one instance.
        let got = try ids("""
            for i in [0, 1] { train s = mlp on digits.train { epochs 1 } }
            for i in [1, 2] { train s = mlp on digits.train { epochs 1 } }
            """)
        XCTAssertEqual(got, ["train s[i=0] s[i=0]", "train s[i=1] s[i=1]",
                             "train s~2[i=1] s~2[i=1]", "train s~2[i=2] s~2[i=2]"])
    }

    func testNestedLoopsAndData() throws {
        let got = try ids("""
            repeat 2 { for lr in [0.1, 0.2] { data d = builtin.digits; train s = mlp on d.train { epochs 1 } } }
            for lr in [0.1, 0.2] { repeat 2 { data d = builtin.digits; train s = mlp on d.train { epochs 1 } } }
            """)
        XCTAssertEqual(got.count, 16)
        assertUnique(got)
    }

    func testTopLevelAndLoopNamesStayDistinct() throws {
        let got = try ids("""
            train s = mlp on digits.train { epochs 1 }
            repeat 2 { train s = mlp on digits.train { epochs 1 } }
            """)
        XCTAssertEqual(got, ["train s s", "train s~2#0 s~2#0", "train s~2#1 s~2#1"])
    }

    func testASingleDeclarationKeepsItsPlainName() throws {
        // Existing scripts keep their instance ids (hence their random streams and cached checkpoints).
        let got = try ids("repeat 2 { train s = mlp on digits.train { epochs 1 } }")
        XCTAssertEqual(got, ["train s#0 s#0", "train s#1 s#1"])
    }
}
