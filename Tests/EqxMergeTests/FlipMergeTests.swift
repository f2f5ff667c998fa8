import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// The flip self-merge (Bökman & Kahl; research note §2.9). Conventions: B = m·θ with trivial channels (every
/// kernel mirrored), matching returns π with P_π(B) ≈ θ (gather: B's new channel i is its old channel π[i]).
/// Then P_π(m·θ) is m·θ for the representation whose channel gather is [identity, π], so with π an
/// involution θ_½ = (θ + P_π(m·θ))/2 = Π_E θ for `learned: [producer: .permutations([id, π])]` and is exactly
/// flip invariant. Tolerances: states to 1e-6 · max(1, |θ|); invariance relativeChange < 1e-5, disagreement 0.
final class FlipMergeTests: XCTestCase {
    let flip = FiniteGroup.mirror(.horizontal)
    static let clauses = "  match activations on digits.train[0..299]\n  alpha 0..1 step 0.25"

    /// π by activation matching between θ and m·θ, exactly as the merger computes it.
    private func flipMatching(_ a: Network, batches: [Tensor]) throws -> [[Int]] {
        let rep = try NetworkRepresentation(group: flip, spec: a.spec, hidden: .trivial)
        let b = try Network(spec: a.spec, state: rep.transform(a.state, element: 1))
        return try Matching.activations(a: a, b: b, symbols: PermutationSymbols(a.spec), batches: batches).perms
    }

    /// A flip G-CNN for a planted involutive channel representation, plus 5% noise: matching recovers the
    /// involutions, the midpoint is Π_E θ, it is exactly invariant, and the path is symmetric about ½.
    func testSelfMergeOfAPerturbedFlipGCNNIsItsProjection() throws {
        let (a, sigmas, projector) = try plantedInvolutionNetwork(stateSeed: 31, plantSeed: 9, noise: 0.05)
        let spec = a.spec, theta = a.state
        let batches = try digitBatches(.train, count: 300, batch: 150)
        XCTAssertEqual(try flipMatching(a, batches: batches), sigmas)

        let mspec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "flip(a)", clauses: Self.clauses)
        XCTAssertEqual(mspec.target, .transformed(.mirror(.horizontal), element: 1))
        let merger = try Merger(spec: mspec, inputs: mergeInputs(base: a, partner: nil, group: flip, matching: batches))
        for (r, sigma) in zip(merger.symbolReports, sigmas) {
            let st = try PermutationStatistics(sigma)
            XCTAssertTrue(r.isInvolution)
            XCTAssertEqual(r.fixedPoints, st.fixedPoints)
            XCTAssertEqual(r.twoCycles, st.twoCycles)
            XCTAssertEqual(r.longerCycles, [])
        }
        let midpoint = try merger.network(at: 0.5)
        assertStatesEqual(midpoint.state, projector.project(theta, includeBuffers: true), "θ_½ vs Π_E θ")

        let test = try digitSubset(.test, count: 200)
        let before = try invarianceError(a, group: flip, on: test)
        XCTAssertGreaterThan(before.relativeChange, 1e-3, "the perturbed network is not invariant")
        let after = try invarianceError(midpoint, group: flip, on: test)
        XCTAssertLessThan(after.relativeChange, 1e-5)
        XCTAssertEqual(after.disagreement, 0)

        // With T² = id the path is symmetric: f_{θ_{1−α}}(x) = f_{θ_α}(m·x).
        let x = try digitBatches(.test, count: 100, batch: 100)[0]
        let mx = try x.acted(by: NetworkRepresentation(group: flip, spec: spec, hidden: .trivial).inputAction, element: 1)
        let quarter = try merger.network(at: 0.25), threeQuarters = try merger.network(at: 0.75)
        let f = try threeQuarters.forward(x, options: .evaluation).output.value
        let g = try quarter.forward(mx, options: .evaluation).output.value
        XCTAssertLessThanOrEqual(maxAbsDifference(f, g), 1e-5 * max(1, maxAbs(f)))
    }

    /// A network trained briefly with full-orbit flip augmentation on the digits. When every matched
    /// permutation is an involution, the midpoint is Π_E θ for the learned representation and exactly
    /// invariant, with and without a batch-norm reset on x and m·x.
    func testTrainedFlipAugmentedSelfMergeIsTheLearnedProjection() throws {
        let a = try TrainedFixtures.cnn(mode: "augmented(flip)", epochs: 10)
        let batches = try digitBatches(.train, count: 300, batch: 150)
        let perms = try flipMatching(a, batches: batches)
        let statistics = try perms.map { try PermutationStatistics($0) }

        let mspec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "flip(a)", clauses: Self.clauses)
        let merger = try Merger(spec: mspec, inputs: mergeInputs(base: a, partner: nil, group: flip, matching: batches))
        // The merger's per-symbol report is the cycle structure of the matching.
        XCTAssertEqual(merger.symbolReports.map(\.isInvolution), statistics.map(\.isInvolution))
        XCTAssertEqual(merger.symbolReports.map(\.fixedPoints), statistics.map(\.fixedPoints))
        XCTAssertEqual(merger.symbolReports.map(\.twoCycles), statistics.map(\.twoCycles))
        XCTAssertEqual(merger.symbolReports.map(\.longerCycles), statistics.map(\.longerCycleLengths))
        // Flip training makes mirror pairs: not every channel maps to itself.
        XCTAssertFalse(statistics.allSatisfy(\.isIdentity), "\(statistics)")
        guard statistics.allSatisfy(\.isInvolution) else {
            throw XCTSkip("matching found cycles longer than 2 (\(statistics.map(\.description))); "
                + "[identity, π] is then not a representation and the midpoint is only approximately invariant")
        }

        let symbols = PermutationSymbols(a.spec)
        let projector = try ReynoldsProjector(group: flip, spec: a.spec, hidden: .trivial,
                                              learned: learnedRepresentation(symbols, perms))
        let midpoint = try merger.network(at: 0.5)
        assertStatesEqual(midpoint.state, projector.project(a.state, includeBuffers: true), "θ_½ vs Π_E θ")
        let test = try digitSubset(.test, count: 400)
        let after = try invarianceError(midpoint, group: flip, on: test)
        XCTAssertLessThan(after.relativeChange, 1e-5)
        XCTAssertEqual(after.disagreement, 0)

        // Batch-norm reset on x and m·x keeps the midpoint exactly invariant.
        var resetSpec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "flip(a)",
                                      clauses: Self.clauses + "\n  reset batchnorm on digits.train[0..299]")
        XCTAssertNotNil(resetSpec.resetBatchNorm)
        resetSpec.alphas = [0, 0.5, 1]
        let mirror = try NetworkRepresentation(group: flip, spec: a.spec, hidden: .trivial).inputAction
        let reset = try batches + batches.map { try $0.acted(by: mirror, element: 1) }
        let resetMerger = try Merger(spec: resetSpec, inputs: mergeInputs(base: a, partner: nil, group: flip,
                                                                          matching: batches, reset: reset))
        let resetMidpoint = try resetMerger.network(at: 0.5)
        for k in resetMidpoint.state.parameterKeys {
            XCTAssertEqual(resetMidpoint.state[k], midpoint.state[k], k)
        }
        XCTAssertNotEqual(resetMidpoint.state["bn1.running_mean"], midpoint.state["bn1.running_mean"])
        let afterReset = try invarianceError(resetMidpoint, group: flip, on: test)
        XCTAssertLessThan(afterReset.relativeChange, 1e-5)
        XCTAssertEqual(afterReset.disagreement, 0)
    }
}
