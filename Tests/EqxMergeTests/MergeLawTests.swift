import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// The laws a merge must satisfy on a trained network (issue 5, "How it is checked"):
/// - a planted random permutation is recovered exactly by activation matching and by weight matching, the
///   aligned network equals the original bit for bit, and the barrier is zero to rounding (< 1e-5);
/// - merging a network with itself gives identity permutations and zero barrier.
final class MergeLawTests: XCTestCase {
    static let matchingClause = "  match activations on digits.train[0..499]\n  alpha 0..1 step 0.25"

    func testPlantedPermutationIsRecoveredByBothMatchings() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let symbols = PermutationSymbols(a.spec)
        let p = randomPermutation(symbols, seed: 17, name: "test/planted")
        let b = try Network(spec: a.spec, state: p.apply(to: a.state, spec: a.spec, symbols: symbols))
        XCTAssertGreaterThan(maxStateDifference(a.state, b.state).difference, 1e-2)
        // B's new channel k is A's channel p[k]; the alignment re-indexes B by p⁻¹.
        let expected = p.perms.map(inversePermutation)

        let batches = try digitBatches(.train, count: 500, batch: 250)
        let byActivations = try Matching.activations(a: a, b: b, symbols: symbols, batches: batches)
        XCTAssertEqual(byActivations.perms, expected)

        var rng = RandomStream(seed: 3, name: "match/order/test")
        let (byWeights, sweeps) = try Matching.weights(a: a.state, b: b.state, spec: a.spec, symbols: symbols, rng: &rng)
        XCTAssertEqual(byWeights.perms, expected)
        XCTAssertLessThanOrEqual(sweeps, 100)

        for clauses in [Self.matchingClause, "  match weights\n  alpha 0..1 step 0.25"] {
            let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b", clauses: clauses)
            let merger = try Merger(spec: spec, inputs: mergeInputs(base: a, partner: b, group: nil, matching: batches))
            XCTAssertEqual(merger.aligned, a.state, "\(spec.matching)")
            try assertZeroBarrier(merger, reference: a)
        }
    }

    /// Unified symbols (a residual stream written by three convs, one of them with the stream on both axes),
    /// a symbol matched after flatten and expanded over positions, and a symbol on a vector: both matchings
    /// recover a planted permutation exactly.
    func testPlantedPermutationOnResidualAndFlattenNetwork() throws {
        let body = """
            conv 3x3 -> 6 pad 1
            batchnorm
            relu
            residual {
              conv 3x3 -> 6 pad 1
              batchnorm
            }
            relu
            residual {
              conv 3x3 -> 5 pad 1
              batchnorm
              relu
              conv 3x3 -> 6 pad 1
              batchnorm
            }
            relu
            maxpool 2
            flatten
            linear -> 12
            batchnorm
            relu
            linear -> 10
            """
        let spec = try networkSpec(body)
        let symbols = PermutationSymbols(spec)
        XCTAssertEqual(symbols.symbols.map(\.producers), [["conv1", "conv2", "conv4"], ["conv3"], ["linear1"]])
        XCTAssertEqual(symbols.symbols[0].matchPoint, "flatten1")
        let a = try Network(spec: spec, state: aliveState(spec, seed: 51))
        for trial in 0..<3 {
            let p = randomPermutation(symbols, seed: UInt64(trial), name: "test/planted-residual")
            let b = try Network(spec: spec, state: p.apply(to: a.state, spec: spec, symbols: symbols))
            try assertRecovers(p, a: a, b: b, symbols: symbols, trial: trial)
            if trial == 0 {
                let batches = try digitBatches(.train, count: 300, batch: 150)
                let mspec = try mergeSpec(net: body, target: "b", clauses: "  match weights\n  alpha 0..1 step 0.25")
                let merger = try Merger(spec: mspec, inputs: mergeInputs(base: a, partner: b, group: nil, matching: batches))
                XCTAssertEqual(merger.aligned, a.state)
                try assertZeroBarrier(merger, reference: a)
            }
        }
    }

    func testMergingANetworkWithItselfGivesIdentityAndZeroBarrier() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let batches = try digitBatches(.train, count: 500, batch: 250)
        for clauses in [Self.matchingClause, "  match weights\n  alpha 0..1 step 0.25"] {
            let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b", clauses: clauses)
            let merger = try Merger(spec: spec, inputs: mergeInputs(base: a, partner: a.copy(), group: nil, matching: batches))
            XCTAssertEqual(merger.symbolReports.count, 3)
            for r in merger.symbolReports {
                XCTAssertTrue(r.isIdentity, "\(spec.matching): \(r)")
                XCTAssertEqual(r.fixedPoints, r.channels)
                XCTAssertTrue(r.isInvolution)
            }
            XCTAssertEqual(merger.aligned, a.state)
            try assertZeroBarrier(merger, reference: a)
        }
    }

    /// Dead (always 0) and constant hidden channels correlate with nothing; merging the network with itself
    /// must still pair every channel with itself, so the merge changes no weight.
    func testSelfMergeWithDeadAndConstantChannelsGivesIdentity() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        // γ = 0 makes a channel constant after batch norm: β < 0 kills it after ReLU, β > 0 keeps a constant.
        for (layer, channels, beta) in [("bn1", [0, 5], Float(-1)), ("bn2", [3], 0.5), ("bn3", [2, 7, 11], -1), ("bn3", [4], 0.25)] {
            var g = a.state["\(layer).weight"]!, b = a.state["\(layer).bias"]!
            g.withUnsafeMutableBufferPointer { p in for c in channels { p[c] = 0 } }
            b.withUnsafeMutableBufferPointer { p in for c in channels { p[c] = beta } }
            a.state["\(layer).weight"] = g
            a.state["\(layer).bias"] = b
        }
        let batches = try digitBatches(.train, count: 500, batch: 250)
        let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b", clauses: Self.matchingClause)
        let merger = try Merger(spec: spec, inputs: mergeInputs(base: a, partner: a.copy(), group: nil, matching: batches))
        for r in merger.symbolReports { XCTAssertTrue(r.isIdentity, "\(r)") }
        XCTAssertEqual(merger.aligned, a.state)
    }

    /// Every point of the path is θ_A up to the rounding of (1 − α)θ + αθ: the loss along α equals L(θ_A)
    /// to 1e-5, the loss barriers are below 1e-5, the accuracy never changes.
    private func assertZeroBarrier(_ merger: Merger, reference a: Network, line: UInt = #line) throws {
        let outcome = try merger.run()
        XCTAssertEqual(outcome.alphas, [0, 0.25, 0.5, 0.75, 1], line: line)
        let base = try evaluate(a, on: Digits.load(split: .test), loss: .crossEntropy)
        let curve = try XCTUnwrap(outcome.curves.last, line: line)
        XCTAssertEqual(curve.losses.count, 5, line: line)
        for (l, acc) in zip(curve.losses, curve.accuracies) {
            XCTAssertEqual(l, base.loss, accuracy: 1e-5, line: line)
            XCTAssertEqual(acc, base.accuracy, line: line)
        }
        XCTAssertLessThan(abs(outcome.lossBarrier), 1e-5, line: line)
        XCTAssertLessThan(abs(outcome.midpointLossBarrier), 1e-5, line: line)
        XCTAssertEqual(outcome.accuracyBarrier, 0, accuracy: 1e-12, line: line)
        XCTAssertEqual(outcome.midpointAccuracyBarrier, 0, accuracy: 1e-12, line: line)
    }
}
