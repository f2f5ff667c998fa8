import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// Learned channel actions (from matching): explicit permutations per layer output, carried through
/// ReLU, pooling and norms. For the flip group with involutions σ, the self-merge at α = ½,
/// ½(θ + σ(m·θ)), is Π_E θ for that representation, hence an exactly invariant network.
final class LearnedRepresentationTests: XCTestCase {
    let spec = makeSpec("learned", input: [1, 6, 6], [
        conv("conv1", 4), batchNorm("bn1"), op("relu1", .relu), conv("conv2", 5), op("relu2", .relu),
        op("pool", .maxPool(kernel: 2, stride: 2)), op("gap", .globalAvgPool), linear("fc", 3),
    ])
    /// Involutions with fixed points and 2-cycles, unlike the regular representation.
    let learned: [String: ChannelRepresentation] = [
        "conv1": .permutations([[0, 1, 2, 3], [2, 1, 0, 3]]),
        "conv2": .permutations([[0, 1, 2, 3, 4], [4, 1, 3, 2, 0]]),
    ]

    func testSelfMergeAtOneHalfIsTheProjection() throws {
        let rep = try NetworkRepresentation(group: .horizontalMirror, spec: spec, hidden: .trivial, learned: learned)
        let projector = try ReynoldsProjector(representation: rep)
        let theta = randomState(spec, "learned")
        let merged = try theta.interpolated(with: rep.transform(theta, element: 1), alpha: 0.5)
        let projected = projector.project(theta, includeBuffers: true)
        // (1 − ½)a + ½b in Float against the orbit mean in Double: rounding only.
        XCTAssertLessThan(relativeError(merged, projected), 1e-6)
        XCTAssertGreaterThan(projector.distance(theta).relative, 0.1)

        let x = randomInput(spec, batch: 4, "learned")
        let e = try equivarianceError(Network(spec: spec, state: projected), rep, x)
        XCTAssertLessThan(e.layers, 2e-5, "layer \(e.worstLayer)")
        XCTAssertLessThan(e.logits, 2e-5)
    }

    func testLearnedActionsAreCarriedThroughNonMixingLayers() throws {
        let rep = try NetworkRepresentation(group: .horizontalMirror, spec: spec, hidden: .trivial, learned: learned)
        let names = spec.flattenedLayers.map(\.name)
        for (layer, expected) in [("bn1", "conv1"), ("relu1", "conv1"), ("relu2", "conv2"), ("pool", "conv2"), ("gap", "conv2")] {
            XCTAssertEqual(rep.outputSpaces[names.firstIndex(of: layer)!].representation, learned[expected], layer)
        }
        XCTAssertEqual(rep.outputSpaces[names.firstIndex(of: "fc")!].representation, .trivial)
    }

    func testNonInvolutionIsRejected() throws {
        let bad: [String: ChannelRepresentation] = ["conv1": .permutations([[0, 1, 2, 3], [1, 2, 0, 3]])]
        XCTAssertThrowsError(try NetworkRepresentation(group: .horizontalMirror, spec: spec, hidden: .trivial, learned: bad))
    }
}
