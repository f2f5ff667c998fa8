import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// Self-merges with `involutions`: every matched permutation π is an involution, so T = π∘m has order 2
/// and θ_½ = (θ + Tθ)/2 is Π_E θ for the learned representation [identity, π] — exactly flip invariant
/// whatever the network, nominal ones included. Tolerances as in `FlipMergeTests`.
final class InvolutiveMatchingTests: XCTestCase {
    let flip = FiniteGroup.mirror(.horizontal)
    static let activations = "  match activations on digits.train[0..299]\n  involutions\n  alpha [0, 0.5, 1]"
    static let weights = "  match weights\n  involutions\n  alpha [0, 0.5, 1]"

    private func selfMerger(_ a: Network, clauses: String, target: String = "flip(a)") throws -> Merger {
        let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: target, clauses: clauses)
        XCTAssertTrue(spec.involutive)
        let batches = try digitBatches(.train, count: 300, batch: 150)
        return try Merger(spec: spec, inputs: mergeInputs(base: a, partner: nil, group: flip, matching: batches))
    }

    /// A nominally trained CNN is not flip invariant; with `involutions` both matchings give involutions and
    /// the merged midpoint is the projection for the learned representation, invariant to rounding level.
    func testNominalSelfMergeIsTheLearnedProjection() throws {
        // (Without the option, activation matching on this network finds cycles of length 4 and 7.)
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let test = try digitSubset(.test, count: 400)
        let before = try invarianceError(a, group: flip, on: test)
        XCTAssertGreaterThan(before.relativeChange, 1e-2, "a nominal network is not flip invariant")
        let symbols = PermutationSymbols(a.spec)
        for clauses in [Self.activations, Self.weights] {
            let merger = try selfMerger(a, clauses: clauses)
            let perms = try XCTUnwrap(merger.permutations.first).perms
            for (symbol, pi) in zip(symbols.symbols, perms) {
                XCTAssertTrue(try PermutationStatistics(pi).isInvolution, "\(symbol.name): \(pi)")
            }
            XCTAssertTrue(merger.symbolReports.allSatisfy(\.isInvolution))

            let projector = try ReynoldsProjector(group: flip, spec: a.spec, hidden: .trivial,
                                                  learned: learnedRepresentation(symbols, perms))
            let midpoint = try merger.network(at: 0.5)
            assertStatesEqual(midpoint.state, projector.project(a.state, includeBuffers: true), "θ_½ vs Π_E θ")
            let after = try invarianceError(midpoint, group: flip, on: test)
            XCTAssertLessThan(after.relativeChange, 1e-5, clauses)
            XCTAssertEqual(after.disagreement, 0, clauses)
            if clauses == Self.activations {
                XCTAssertFalse(merger.symbolReports.allSatisfy(\.isIdentity), "the mirror pairs some channels")
            }
        }
    }

    /// The comment on `Matching.weights`: for an involution π, ⟨θ, Tθ⟩ = ‖θ‖² − 2‖θ − Π_T θ‖² over the
    /// parameters, so weight matching brings θ closer to its learned E than no matching does. (On a briefly
    /// trained nominal network the identity is already a fixed point of the ascent; a perturbed G-CNN for
    /// planted involutions is not.)
    func testWeightMatchingMinimisesTheDistanceToTheLearnedSubspace() throws {
        let a = try plantedInvolutionNetwork(stateSeed: 8, plantSeed: 4, noise: 0.2).network
        let symbols = PermutationSymbols(a.spec)
        let perms = try XCTUnwrap(try selfMerger(a, clauses: Self.weights).permutations.first).perms
        let mirrored = try NetworkRepresentation(group: flip, spec: a.spec, hidden: .trivial).transform(a.state, element: 1)

        /// Σ_k Σ_i x_i·y_i over the parameters, in Float64.
        func inner(_ x: StateDict, _ y: StateDict) -> Double {
            var total = 0.0
            for k in x.parameterKeys {
                for (u, v) in zip(x[k]!.scalars, y[k]!.scalars) { total += Double(u) * Double(v) }
            }
            return total
        }
        func squaredDistance(_ perms: [[Int]]) throws -> Double {
            let projected = try ReynoldsProjector(group: flip, spec: a.spec, hidden: .trivial,
                                                  learned: learnedRepresentation(symbols, perms)).project(a.state)
            var difference = a.state
            for k in a.state.parameterKeys { difference[k] = try a.state[k]! - projected[k]! }
            return inner(difference, difference)
        }
        let aligned = try ChannelPermutation(perms: perms).apply(to: mirrored, spec: a.spec, symbols: symbols)
        let norm = a.state.parameterSquaredNorm
        let matched = try squaredDistance(perms)
        XCTAssertEqual(inner(a.state, aligned), norm - 2 * matched, accuracy: 1e-4 * norm)
        let unmatched = try squaredDistance(ChannelPermutation.identity(symbols).perms)
        XCTAssertLessThan(matched, unmatched, "matching moves the learned E towards θ")
    }

    /// A flip G-CNN for planted involutions σ, plus 5% noise: both matchings with `involutions` return σ
    /// exactly (with 30% noise activation matching already misplaces channels, with or without the option).
    func testPlantedInvolutionsAreRecovered() throws {
        let (a, sigmas, _) = try plantedInvolutionNetwork(stateSeed: 31, plantSeed: 9, noise: 0.05)
        for clauses in [Self.activations, Self.weights] {
            XCTAssertEqual(try selfMerger(a, clauses: clauses).permutations.first?.perms, sigmas, clauses)
        }
    }

    /// `orbit(flip)` is the self-merge with its only non-identity element: with `involutions` its average
    /// (α = 1) is the self-merge's midpoint.
    func testOrbitMergeOverFlipAgreesWithTheSelfMerge() throws {
        let spec = try networkSpec(TrainedFixtures.cnnBody)
        let a = try Network(spec: spec, state: aliveState(spec, seed: 12))
        let orbit = try selfMerger(a, clauses: Self.activations, target: "orbit(flip)")
        let single = try selfMerger(a, clauses: Self.activations)
        XCTAssertEqual(orbit.permutations.map(\.perms), single.permutations.map(\.perms))
        XCTAssertTrue(orbit.symbolReports.allSatisfy(\.isInvolution))
        assertStatesEqual(try orbit.network(at: 1).state, try single.network(at: 0.5).state, "orbit average vs midpoint")
    }

    /// The checker rejects `involutions` without g² = e (E0704); the Merger refuses such a spec too.
    func testMergerRefusesInvolutionsWithoutAnOrderTwoTarget() throws {
        let spec = try networkSpec(TrainedFixtures.cnnBody)
        let a = try Network(spec: spec, state: randomState(spec, seed: 1))
        let batches = try digitBatches(.train, count: 50, batch: 50)
        var pair = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b", clauses: "  match weights")
        pair.involutive = true
        XCTAssertThrowsError(try Merger(spec: pair, inputs: mergeInputs(base: a, partner: a.copy(), group: nil, matching: batches))) {
            XCTAssertTrue("\($0)".contains("g² = e"), "\($0)")
        }
        var quarter = try mergeSpec(net: TrainedFixtures.cnnBody, target: "rot(a, \"r\")", clauses: "  match weights")
        quarter.involutive = true
        let rot = try GroupSpec.rotations(4).finiteGroup(forInput: spec.inputShape)
        XCTAssertThrowsError(try Merger(spec: quarter, inputs: mergeInputs(base: a, partner: nil, group: rot, matching: batches)))
    }
}
