@testable import EqxREPL
import XCTest

/// A line that is not a statement prints its value; `:type`, `:shape` and `:info` describe without changing
/// the session.
final class QueryTests: XCTestCase {
    func testNumbersAndStrings() {
        var t = Transcript()
        XCTAssertEqual(t.type("1 + 2").output, "3\n")
        XCTAssertEqual(t.type("7 / 2").output, "3.5000\n")
        XCTAssertEqual(t.type("\"hello\"").output, "hello\n")
        t.type("let width = 2 * 16")
        XCTAssertEqual(t.type("width").output, "32\n")
        XCTAssertEqual(t.type("[1, 2,", "3]").output, "[1, 2, 3] : list\n")
        XCTAssertEqual(t.session.canonicalScript, "eqx 1\nseed 0\n\nlet width = 2 * 16\n", "queries are not kept")
    }

    func testNetDeclarationShowsLayersOnTheLatestData() {
        var t = Fixture.declared()
        let r = t.type("mlp")
        XCTAssertNil(r.failure, r.errors)
        XCTAssertEqual(r.output, """
            net mlp(hidden: 32) on digits: [1, 8, 8] → [10], 2,410 parameters
              layer     kind     output     parameters
              ────────  ───────  ─────────  ──────────
              input              [1, 8, 8]
              flatten1  flatten  [64]
              linear1   linear   [32]            2,080
              relu1     relu     [32]
              linear2   linear   [10]              330

            """)
        XCTAssertContains(t.type("mlp(hidden: 8)").output, "net mlp(hidden: 8) on digits: [1, 8, 8] → [10], 610 parameters")
    }

    func testNetDeclarationWithoutData() {
        var t = Transcript()
        t.type("net n {", "  flatten", "  linear -> 10", "}")
        let r = t.type("n")
        XCTAssertContains(r.output, "net n: shapes are known once it meets data")
        XCTAssertContains(r.output, "net n {\n  flatten\n  linear -> 10\n}")
        XCTAssertEqual(t.type(":shape n").failure, .usage)
    }

    func testGroupDataAndMeasurement() {
        var t = Fixture.trained()
        XCTAssertEqual(t.type("flip").output, "group flip = mirror(horizontal): order 2\n  elements: e, m\n")
        XCTAssertContains(t.type("digits").output,
                          "data digits = builtin.digits: samples [1, 8, 8], 10 classes, train 1,397, test 400\n  inputs: mean ")
        XCTAssertContains(t.type("digits.train[0..99]").output, "digits.train[0..99]: 100 samples of [1, 8, 8], 10 classes")
        let acc = t.type("accuracy(small, digits.test)")
        XCTAssertNil(acc.failure, acc.errors)
        let value = try? XCTUnwrap(Double(acc.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertGreaterThan(value ?? 0, 0.5, "100 steps of SGD learn the digits well above chance")
        XCTAssertContains(t.type("small").output, "small: mlp(hidden: 32): [1, 8, 8] → [10], 2,410 parameters")
        XCTAssertContains(t.type("small").output, "trained on digits.train, mode nominal")
        XCTAssertContains(t.type("invariance(small, flip, digits.test)").output, "invariance(small, flip, digits.test).disagreement")
    }

    func testTypeOfExpressions() {
        var t = Fixture.trained()
        XCTAssertEqual(t.type(":type small").output, "small : network mlp(hidden: 32), [1, 8, 8] → [10]\n")
        XCTAssertEqual(t.type(":type digits.test").output, "digits.test : data, samples [1, 8, 8]\n")
        XCTAssertEqual(t.type(":type flip").output, "flip : group mirror(horizontal)\n")
        XCTAssertEqual(t.type(":type mlp").output, "mlp : net declaration\n")
        XCTAssertEqual(t.type(":type accuracy(small, digits.test)").output, "accuracy(small, digits.test) : measurement\n")
        XCTAssertEqual(t.type(":type 1 + 2").output, "1 + 2 : number\n")
        XCTAssertEqual(t.type(":type 3x3").output, "3x3 : size\n")
        let unknown = t.type(":type nothing")
        XCTAssertEqual(unknown.failure, .invalidInput)
        XCTAssertContains(unknown.errors, "unknown name 'nothing'")
    }

    func testShapeOfNetworksAndData() {
        var t = Fixture.trained()
        XCTAssertEqual(t.type(":shape tiny").output, """
            net tiny(width: 4) on digits: [1, 8, 8] → [10]
              layer            output
              ───────────────  ─────────
              input            [1, 8, 8]
              conv1            [4, 8, 8]
              relu1            [4, 8, 8]
              global_avgpool1  [4]
              linear1          [10]

            """)
        XCTAssertEqual(t.type(":shape digits.test").output, "digits.test: samples [1, 8, 8], 400 of them\n")
        XCTAssertEqual(t.type(":shape flip").failure, .usage)
    }

    func testInfoOfANetworkShowsChannelRepresentations() {
        var t = Fixture.declared()
        let trained = t.type("train eq = tiny on digits.train { mode equivariant(flip, channels: regular); steps 2 }")
        XCTAssertNil(trained.failure, trained.errors)
        let r = t.type(":info eq")
        XCTAssertContains(r.output, """
            eq: tiny(width: 4): [1, 8, 8] → [10], 90 parameters
              layer            kind            output     channels               parameters
              ───────────────  ──────────────  ─────────  ─────────────────────  ──────────
              input                            [1, 8, 8]  trivial
              conv1            conv 3x3 pad 1  [4, 8, 8]  regular (blocks of 2)          40
              relu1            relu            [4, 8, 8]  regular (blocks of 2)
              global_avgpool1  global avgpool  [4]        regular (blocks of 2)
              linear1          linear          [10]       trivial                        50
              trained on digits.train, mode equivariant(mirror(horizontal))
            """)
    }

    func testInfoOfGroupAndMerge() {
        var t = Fixture.declared()
        XCTAssertEqual(t.type(":info flip").output,
                       "group flip = mirror(horizontal): order 2\n  elements: e, m\n  acts on H×W grids and kh×kw kernels by reversing the W axis\n")
        t.type("group d4 = dihedral(4)")
        XCTAssertContains(t.type(":info d4").output, "order 8\n  elements: e, r, r2, r3, m, mr, mr2, mr3\n")
        XCTAssertNil(t.type("train c = tiny on digits.train { mode nominal; steps 5 }").failure)
        let merged = t.type("merge m = c with flip(c) { match activations on digits.train[0..199]; alpha 0..1 step 0.5 }")
        XCTAssertNil(merged.failure, merged.errors)
        XCTAssertContains(merged.output, "merged m: barrier ")
        let info = t.type(":info m")
        XCTAssertContains(info.output, "merge m = c with itself transformed by m of mirror(horizontal), matching activations on digits.train[0..199]\n  barrier ")
        XCTAssertContains(info.output, "  on digits.train:\n         α    loss  accuracy\n")
        XCTAssertContains(info.output, "  permutations:\n    symbol  channels  fixed  2-cycles  longer  involution\n")
        // The barrier as a value is the same number the merge reported.
        let barrier = t.type("m.barrier").output.trimmingCharacters(in: .newlines)
        XCTAssertContains(merged.output, "barrier \(barrier) (loss)")
        XCTAssertEqual(t.type(":type m").output, "m : merge of tiny(width: 4)\n")
    }
}
