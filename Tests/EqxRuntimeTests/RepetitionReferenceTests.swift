import EqxData
import EqxIR
@testable import EqxRuntime
import EqxTraining
import EqxSyntax
import Foundation
import XCTest
import EqxTestSupport
import EqxEvaluation

/// After `repeat N { train plain = … }`, `plain[r]` is repetition r's network: merges across repetitions
/// (`plain[r]` with `plain[(r + 1) % 3]`) and over all pairs (`for p in pairs(plain)`).
final class RepetitionReferenceTests: XCTestCase {
    let head = """
        eqx 1
        seed 3
        data digits = builtin.digits
        net mlp { flatten; linear -> 16; relu; linear -> 10 }
        repeat 3 as r {
          train plain = mlp on digits.train[0..199] { optimizer sgd(lr: 0.1); batch 50; epochs 1 }
        }

        """
    let merges = """
        repeat 3 as r {
          merge next = plain[r] with plain[(r + 1) % 3] { match weights; alpha 0..1 step 0.5 }
          report barrier: next.barrier
        }
        for p in pairs(plain) {
          merge pair = p[0] with p[1] { match weights; alpha 0..1 step 0.5 }
          report b: pair.barrier, mid: accuracy(pair.at(0.5), digits.test)
        }
        report a0: accuracy(plain[0], digits.test), a2: accuracy(plain[2], digits.test)

        """

    func check(_ text: String) -> (Program?, [Diagnostic]) {
        let r = Pipeline.check(SourceFile(name: "rep.eqx", text: text), baseDirectory: URL(fileURLWithPath: "/"))
        return (r.program, r.diagnostics.filter { $0.severity == .error })
    }

    func testMergesAcrossRepetitionsAndAllPairs() throws {
        let (program, errors) = check(head + merges)
        XCTAssertEqual(errors.map(\.message), [])
        let p = try XCTUnwrap(program)
        var pairsSeen: [[String]] = []
        for case .merge(let m) in p.steps {
            guard case .model(let target) = m.target else { return XCTFail("merge target \(m.target)") }
            pairsSeen.append([m.base.description, target.description])
        }
        XCTAssertEqual(pairsSeen, [["plain#0", "plain#1"], ["plain#1", "plain#2"], ["plain#2", "plain#0"],
                                   ["plain#0", "plain#1"], ["plain#0", "plain#2"], ["plain#1", "plain#2"]])

        let e = try executeScript(head + merges, name: "rep", self)
        // Three different networks, and each report names the instance it was asked for.
        let nets = try (0..<3).map { try XCTUnwrap(e.trained["plain#\($0)"]).network }
        XCTAssertNotEqual(nets[0].state["linear1.weight"]!.scalars, nets[1].state["linear1.weight"]!.scalars)
        let top = try XCTUnwrap(e.tables.values.first { $0.columns.first == "a0" })
        let direct = try evaluate(nets[2], on: e.dataset(DataRef(data: "digits", split: .test)), loss: .crossEntropy).accuracy
        guard case .double(let a2) = top.rows[0][1] else { return XCTFail("a2 is not a number") }
        XCTAssertEqual(a2, direct)
        let pairTable = try XCTUnwrap(e.tables.values.first { $0.columns.contains("mid") && !$0.title.hasSuffix("_summary") })
        XCTAssertEqual(pairTable.rows.prefix(3).map { $0[0] }, [.string("p=[plain#0, plain#1]"), .string("p=[plain#0, plain#2]"),
                                                              .string("p=[plain#1, plain#2]")])
    }

    func testOutOfRangeAndBadArguments() throws {
        let text = head + "report a: accuracy(plain[3], digits.test)\n"
        let (_, errors) = check(text)
        XCTAssertEqual(errors.map(\.id), ["E0403"])
        let offset = text.utf8.count - "], digits.test)\n".utf8.count - 1
        XCTAssertEqual(errors.first?.range?.start, offset, "the error points at the index")
        XCTAssertTrue(errors.first?.message.contains("'plain' has 3 instances") ?? false, errors.first?.message ?? "")
        XCTAssertEqual(check(head + "for p in pairs(3) { report x: 1 }\n").1.map(\.id), ["E0403"])
        XCTAssertEqual(check(head + "let k = 4 % 0\n").1.map(\.id), ["E0403"])
        XCTAssertEqual(check(head + "let k = 4.5 % 2\n").1.map(\.id), ["E0403"])
        // `%` is never negative: (0 - 1) % 3 is 2, the last repetition.
        let (wrapped, wrapErrors) = check(head + "report a: accuracy(plain[(0 - 1) % 3], digits.test)\n")
        XCTAssertEqual(wrapErrors.map(\.id), [])
        let reports = (wrapped?.steps ?? []).compactMap { step -> ReportSpec? in if case .report(let r) = step { return r } else { return nil } }
        guard case .accuracy(let ref, _)? = reports.first?.items.first?.measurement else { return XCTFail("no accuracy report") }
        XCTAssertEqual(ref, .trained("plain#2"))
    }

    /// A name a loop bound may be declared again after it (existing scripts do), and a second loop of the
    /// same name takes the name over.
    func testLaterDeclarationsTakeTheNameOver() throws {
        let again = head + "train plain = mlp on digits.train[0..99] { epochs 1 }\nreport a: accuracy(plain, digits.test)\n"
        XCTAssertEqual(check(again).1.map(\.message), [])
        let twice = head + "repeat 2 {\n  train plain = mlp on digits.train[0..99] { epochs 1 }\n}\n"
            + "report a: accuracy(plain[1], digits.test)\n"
        let (program, errors) = check(twice)
        XCTAssertEqual(errors.map(\.message), [])
        let reports = (program?.steps ?? []).compactMap { step -> ReportSpec? in if case .report(let r) = step { return r } else { return nil } }
        guard case .accuracy(let ref, _)? = reports.last?.items.first?.measurement else { return XCTFail("no accuracy report") }
        XCTAssertEqual(ref, .trained("plain~2#1"))
    }

    func testRemainderFormatsAndParsesBack() throws {
        let text = "eqx 1\n\nlet k = (1 + 2) % 3 * 2\n"
        let (script, diagnostics) = parse(SourceFile(name: "f.eqx", text: text))
        XCTAssertEqual(diagnostics.map(\.message), [])
        XCTAssertEqual(format(script), text)
    }
}
