import XCTest
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor

/// Match points (`match activations on DATA at …`): which layer each rule picks, that a planted permutation
/// is recovered exactly at every choice, and that the points used reach the merge's outcome.
final class MatchPointTests: XCTestCase {
    func testRulesPickTheDocumentedLayers() throws {
        let spec = try networkSpec(TrainedFixtures.cnnBody)
        let symbols = PermutationSymbols(spec)
        XCTAssertEqual(symbols.symbols.map(\.carriers), [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2", "maxpool1"],
                                                          ["conv3", "bn3", "relu3", "global_avgpool1"]])
        // The default is as before: the last carrier, after the max-pool and the global average pool.
        XCTAssertEqual(try symbols.matchPoints(.last, in: spec).get(), ["relu1", "maxpool1", "global_avgpool1"])
        // Post-ReLU, as the papers match.
        XCTAssertEqual(try symbols.matchPoints(.relu, in: spec).get(), ["relu1", "relu2", "relu3"])
        XCTAssertEqual(try symbols.matchPoints(.activation, in: spec).get(), ["relu1", "relu2", "relu3"])
        // A list in any order, one layer per symbol.
        XCTAssertEqual(try symbols.matchPoints(.layers(["global_avgpool1", "bn1", "conv2"]), in: spec).get(),
                       ["bn1", "conv2", "global_avgpool1"])
        XCTAssertEqual(try symbols.matched(at: .relu, in: spec).symbols.map(\.matchPoint), ["relu1", "relu2", "relu3"])
    }

    func testProblemsNameTheEntryAtFault() throws {
        let spec = try networkSpec("""
            conv 3x3 -> 4 pad 1
            relu
            conv 3x3 -> 4 pad 1
            tanh
            global avgpool
            linear -> 10
            """)
        let symbols = PermutationSymbols(spec)
        func problem(_ rule: MatchPointRule) -> MatchPointProblem? {
            if case .failure(let p) = symbols.matchPoints(rule, in: spec) { return p }
            return nil
        }
        XCTAssertEqual(problem(.relu), .noLayerOfKind(symbol: 1))
        XCTAssertEqual(try symbols.matchPoints(.activation, in: spec).get(), ["relu1", "tanh1"])
        XCTAssertEqual(problem(.layers(["relu1", "nope"])), .notALayer(index: 1))
        XCTAssertEqual(problem(.layers(["linear1", "relu1"])), .carriesNoSymbol(index: 0))
        XCTAssertEqual(problem(.layers(["relu1", "conv1"])), .sameSymbol(index: 1, earlier: 0, symbol: 0))
        XCTAssertEqual(problem(.layers(["tanh1"])), .missing(symbol: 0))
        XCTAssertThrowsError(try symbols.matched(at: .relu, in: spec))
    }

    /// Layers of a block are named by their full name, written as a member or a string.
    func testBlockLayersAreNamedInFull() throws {
        let program = try checkedProgram(scriptPrelude + """
            block stage(c) {
              conv 3x3 -> c pad 1
              relu
            }
            net n {
              stage 4
              stage 6
              global avgpool
              linear -> 10
            }
            train a = n on digits.train { epochs 1 }
            train b = n on digits.train { epochs 1 }
            merge m = a with b { match activations on digits.train[0..99] at [stage1.relu1, "stage2.relu1"] }

            """)
        let spec = try XCTUnwrap(mergeSpecs(program)["m"])
        guard case .activations(_, let rule) = spec.matching else { return XCTFail("\(spec.matching)") }
        XCTAssertEqual(rule, .layers(["stage1.relu1", "stage2.relu1"]))
        XCTAssertEqual(try PermutationSymbols(spec.network).matchPoints(rule, in: spec.network).get(), ["stage1.relu1", "stage2.relu1"])
    }

    /// A residual stream is one symbol: `at relu` takes the last ReLU carrying it, after the last block.
    func testResidualStreamIsMatchedAtItsLastReLU() throws {
        let spec = try networkSpec("""
            conv 3x3 -> 6 pad 1
            relu
            residual {
              conv 3x3 -> 6 pad 1
              relu
              conv 3x3 -> 6 pad 1
            }
            relu
            global avgpool
            linear -> 10
            """)
        let symbols = PermutationSymbols(spec)
        let stream = try XCTUnwrap(symbols.symbols.firstIndex { $0.producers.contains("conv1") })
        let inner = try XCTUnwrap(symbols.symbols.firstIndex { $0.producers == ["conv2"] })
        let points = try symbols.matchPoints(.relu, in: spec).get()
        XCTAssertEqual(points[stream], "relu3")
        XCTAssertEqual(points[inner], "relu2")
        XCTAssertEqual(try symbols.matchPoints(.last, in: spec).get()[stream], "global_avgpool1")
    }

    /// B = p·A: activation matching finds p⁻¹ exactly wherever it compares the networks, and the merge aligns
    /// B onto A; the outcome lists the points used.
    func testPlantedPermutationIsRecoveredAtEveryMatchPoint() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let symbols = PermutationSymbols(a.spec)
        let p = randomPermutation(symbols, seed: 23, name: "test/planted-points")
        let b = try Network(spec: a.spec, state: p.apply(to: a.state, spec: a.spec, symbols: symbols))
        let expected = p.perms.map(inversePermutation)
        let batches = try digitBatches(.train, count: 500, batch: 250)
        let cases: [(String, [String])] = [
            ("last", ["relu1", "maxpool1", "global_avgpool1"]), ("relu", ["relu1", "relu2", "relu3"]),
            ("activation", ["relu1", "relu2", "relu3"]), ("[bn1, conv2, bn3]", ["bn1", "conv2", "bn3"]),
        ]
        for (rule, points) in cases {
            let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b",
                                     clauses: "  match activations on digits.train[0..499] at \(rule)\n  alpha [0, 1]")
            let merger = try Merger(spec: spec, inputs: mergeInputs(base: a, partner: b, group: nil, matching: batches))
            XCTAssertEqual(merger.permutations.map(\.perms), [expected], rule)
            XCTAssertEqual(merger.aligned, a.state, rule)
            let outcome = try merger.run()
            XCTAssertEqual(outcome.matchPoints.map(\.layer), points, rule)
            XCTAssertEqual(outcome.matchPoints.map(\.symbol), ["conv1", "conv2", "conv3"], rule)
            // `eqx dump-ir` prints the rule and the point of every symbol.
            let shown = zip(["conv1", "conv2", "conv3"], points).map { "\($0): \($1)" }.joined(separator: ", ")
            XCTAssertTrue(IRPrinter.describe(.merge(spec)).contains(" at \(rule) [\(shown)]"), IRPrinter.describe(.merge(spec)))
        }
        // Without a rule the points are the last carriers, as before.
        let plain = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b", clauses: "  match activations on digits.train[0..499]")
        guard case .activations(_, let rule) = plain.matching else { return XCTFail("\(plain.matching)") }
        XCTAssertEqual(rule, .last)
    }

    /// Matching at another layer changes the correlations: on two independently trained nets the
    /// post-ReLU and the after-pooling matchings of conv2 are computed from different activations.
    func testMatchPointChangesTheStatisticsUsed() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let b = try TrainedFixtures.cnn(mode: "nominal", epochs: 10, seed: 6)
        let batches = try digitBatches(.train, count: 300, batch: 150)
        let base = PermutationSymbols(a.spec)
        let atLast = try Matching.correlations(a: a, targets: [b], symbols: base, batches: batches)[0]
        let atReLU = try Matching.correlations(a: a, targets: [b], symbols: base.matched(at: .relu, in: a.spec), batches: batches)[0]
        XCTAssertEqual(atLast[0], atReLU[0])   // conv1 is matched at relu1 either way
        XCTAssertNotEqual(atLast[1], atReLU[1])
        XCTAssertNotEqual(atLast[2], atReLU[2])
    }
}
