import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// The orbit merge for C4: (1/|G|) Σ_g P_{π_g}(g·θ) with π_g matched between θ and g·θ (trivial channels).
/// When the π_g form a representation (here: the regular one, planted), this is Π_E θ for that representation
/// and exactly invariant. Tolerances: states to 1e-6 · max(1, |θ|); invariance relativeChange < 1e-5.
final class OrbitMergeTests: XCTestCase {
    let rotations = FiniteGroup.rotations
    static let body = TrainedFixtures.cnnBody

    private func orbitMerger(_ a: Network, matching: String, batches: [Tensor]) throws -> Merger {
        let clause = matching == "weights" ? "  match weights" : "  match activations on digits.train[0..299]"
        let spec = try mergeSpec(net: Self.body, target: "orbit(rot)", clauses: clause)
        XCTAssertEqual(spec.target, .orbit(.rotations(4)))
        return try Merger(spec: spec, inputs: mergeInputs(base: a, partner: nil, group: rotations, matching: batches))
    }

    /// π_g for every non-identity g, as the merger computes it.
    private func orbitMatchings(_ a: Network, batches: [Tensor]) throws -> [Int: [[Int]]] {
        let rep = try NetworkRepresentation(group: rotations, spec: a.spec, hidden: .trivial)
        var out: [Int: [[Int]]] = [:]
        for g in rotations.elements.dropFirst() {
            let b = try Network(spec: a.spec, state: rep.transform(a.state, element: g))
            out[g] = try Matching.activations(a: a, b: b, symbols: PermutationSymbols(a.spec), batches: batches).perms
        }
        return out
    }

    private func assertStatesEqual(_ a: StateDict, _ b: StateDict, tolerance: Float = 1e-6, _ message: String,
                                   line: UInt = #line) {
        XCTAssertEqual(a.keys, b.keys, line: line)
        for k in a.keys {
            XCTAssertEqual(a[k]!.shape, b[k]!.shape, k, line: line)
            let scale = max(1, maxAbs(a[k]!))
            XCTAssertLessThanOrEqual(maxAbsDifference(a[k]!, b[k]!), tolerance * scale, "\(message): \(k)", line: line)
        }
    }

    func testOrbitMergeRunsAndKeepsKeysAndShapes() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let batches = try digitBatches(.train, count: 300, batch: 150)
        let merger = try orbitMerger(a, matching: "activations", batches: batches)
        XCTAssertEqual(merger.aligned.keys, a.state.keys)
        XCTAssertEqual(merger.aligned.trainable, a.state.trainable)
        for k in a.state.keys { XCTAssertEqual(merger.aligned[k]!.shape, a.state[k]!.shape, k) }
        XCTAssertTrue(merger.aligned.keys.allSatisfy { merger.aligned[$0]!.scalars.allSatisfy(\.isFinite) })
        // One report per symbol and non-identity element, named sym@g.
        let names = merger.symbolReports.map(\.name)
        XCTAssertEqual(names.count, 3 * 3)
        XCTAssertEqual(Set(names.map { String($0.split(separator: "@").last!) }).count, 3, "\(names)")
        // The average is a usable network.
        let outcome = try merger.run()
        XCTAssertTrue(outcome.curves.allSatisfy { $0.losses.allSatisfy(\.isFinite) })
    }

    /// An exactly C4-invariant network (Π_E with trivial channels: rotation-symmetric kernels): g·θ = θ, so
    /// every matching is the identity and the orbit average is θ itself.
    func testOrbitMergeOfAnInvariantNetworkReturnsIt() throws {
        let spec = try networkSpec(Self.body)
        let projector = try ReynoldsProjector(group: rotations, spec: spec, hidden: .trivial)
        let theta = try aliveProjectedState(spec, seed: 41, projector: projector)
        let a = try Network(spec: spec, state: theta)
        let batches = try digitBatches(.train, count: 300, batch: 150)
        for method in ["activations", "weights"] {
            let merger = try orbitMerger(a, matching: method, batches: batches)
            XCTAssertEqual(merger.symbolReports.count, 9)
            XCTAssertTrue(merger.symbolReports.allSatisfy(\.isIdentity), "\(method): \(merger.symbolReports)")
            assertStatesEqual(merger.aligned, theta, method)
            assertStatesEqual(try merger.network(at: 1).state, theta, method)
        }
    }

    /// A C4 G-CNN (regular channels) plus 5% noise: matching θ with r^k·θ recovers the regular representation,
    /// which is a representation, so the orbit average is Π_E θ for it and exactly rotation invariant.
    func testOrbitMergeOfAPerturbedRegularGCNNIsItsProjection() throws {
        let spec = try networkSpec(Self.body)
        let symbols = PermutationSymbols(spec)
        let projector = try ReynoldsProjector(group: rotations, spec: spec, hidden: .regular)
        let theta = try perturbed(aliveProjectedState(spec, seed: 43, projector: projector), relative: 0.05, seed: 43)
        let a = try Network(spec: spec, state: theta)
        let batches = try digitBatches(.train, count: 300, batch: 150)

        let matched = try orbitMatchings(a, batches: batches)
        for s in symbols.symbols {
            var perms = [Array(0..<s.channels)]
            for g in rotations.elements.dropFirst() {
                let regular = try rotations.channelPermutation(element: g, channels: s.channels, representation: .regular)
                XCTAssertEqual(matched[g]![s.id], regular, "symbol \(s.name), element \(rotations.name(of: g))")
                perms.append(matched[g]![s.id])
            }
            XCTAssertNoThrow(try rotations.validate(.permutations(perms), channels: s.channels))
        }

        let merger = try orbitMerger(a, matching: "activations", batches: batches)
        let average = try merger.network(at: 1)
        assertStatesEqual(average.state, projector.project(theta, includeBuffers: true), "orbit average vs Π_E θ")

        let test = try digitSubset(.test, count: 200)
        let before = try invarianceError(a, group: rotations, on: test)
        XCTAssertGreaterThan(before.relativeChange, 1e-3, "the perturbed network is not invariant")
        let after = try invarianceError(average, group: rotations, on: test)
        XCTAssertLessThan(after.relativeChange, 1e-5)
        XCTAssertEqual(after.disagreement, 0)
    }
}
