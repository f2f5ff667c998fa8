import XCTest
import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// The symmetry metrics on networks whose answer is known: a projected network (θ ∈ E) is invariant
/// and equivariant in every layer up to rounding; a random one is not.
final class SymmetryMetricTests: XCTestCase {
    let configurations: [(GroupSpec, ChannelAction, NetworkSpec)] = [
        (.rotations(4), .trivial, smallCNN()),
        (.mirror(.horizontal), .regular, pooledCNN(width: 4)),
        (.dihedral4, .regular, pooledCNN(width: 8)),
    ]

    /// A network with random batch-norm statistics, and the same network projected onto E.
    func networks(_ g: GroupSpec, _ hidden: ChannelAction, _ spec: NetworkSpec) throws -> (random: Network, projected: Network) {
        var state = freshNetwork(spec, "metrics").state
        var rng = RandomStream(seed: 3, name: "test/training/metrics/statistics")
        for k in state.bufferKeys {
            state[k] = k.hasSuffix("running_var") ? rng.uniformTensor(state[k]!.shape, 0.02, 0.1)
                : rng.uniformTensor(state[k]!.shape, -0.1, 0.1)
        }
        let projector = try ReynoldsProjector(group: group(g, spec), spec: spec, hidden: hidden)
        return (try Network(spec: spec, state: state), try Network(spec: spec, state: projector.project(state, includeBuffers: true)))
    }

    func testInvarianceErrorVanishesExactlyOnE() throws {
        let data = try toyData("metrics", count: 24)
        for (g, hidden, spec) in configurations {
            let (random, projected) = try networks(g, hidden, spec)
            let onE = try invarianceError(projected, group: group(g, spec), on: data)
            XCTAssertLessThan(onE.relativeChange, 1e-6, "\(g): projected network is not invariant")
            XCTAssertEqual(onE.disagreement, 0, "\(g)")
            let off = try invarianceError(random, group: group(g, spec), on: data)
            XCTAssertGreaterThan(off.relativeChange, 1e-3, "\(g): a random network should not be invariant")
        }
    }

    func testEquivarianceErrorsPerLayer() throws {
        let data = try toyData("metrics", count: 24)
        for (g, hidden, spec) in configurations {
            let (random, projected) = try networks(g, hidden, spec)
            let onE = try equivarianceErrors(projected, group: group(g, spec), hidden: hidden, on: data)
            XCTAssertEqual(onE.map(\.layer), spec.flattenedLayers.map(\.name))
            for (layer, error) in onE { XCTAssertLessThan(error, 1e-5, "\(g): layer \(layer) of a projected network") }
            let off = try equivarianceErrors(random, group: group(g, spec), hidden: hidden, on: data)
            XCTAssertGreaterThan(off.last!.error, 1e-3, "\(g): random logits should not be invariant")
            // The first convolution's kernels are not symmetric, so the error shows from the first layer on.
            XCTAssertGreaterThan(off.first!.error, 1e-2, "\(g): random conv1 should not be equivariant")
        }
    }

    /// augmented(random) moves each sample by a uniformly drawn element. Observed through the public API:
    /// with one sample, batch 1 and plain SGD on a linear model, each step changes fc.weight by
    /// −lr·δ ⊗ (g·x), so the row-0 update identifies the element g drawn at that step.
    func testRandomAugmentationDrawsEveryElementUniformly() throws {
        let spec = makeSpec("linear", input: [1, 4, 4], [("flat", .flatten), ("fc", .linear(out: 2, bias: false))])
        let g = try group(.dihedral4, spec)
        let rep = try NetworkRepresentation(group: g, spec: spec, hidden: .trivial)
        var rng = RandomStream(seed: 8, name: "test/training/augment-sample")
        let x = rng.uniformTensor([1, 1, 4, 4], -1, 1)
        let data = try Dataset(name: "one", sampleShape: [1, 4, 4], inputs: x.scalars, labels: [1], classes: 2)
        let candidates = try g.elements.map { try x.acted(by: rep.inputAction, element: $0).scalars }
        for a in 0..<g.order { for b in 0..<a { XCTAssertNotEqual(candidates[a], candidates[b], "transforms must be distinct") } }

        let steps = 800
        let statement = trainSpec(spec, mode: .augmented(.dihedral4, sampling: .random),
                                  optimizer: .sgd(lr: 1e-3, momentum: 0, nesterov: false, weightDecay: 0),
                                  batch: 1, steps: steps)
        let network = freshNetwork(spec)
        let trainer = try Trainer(spec: statement, network: network, data: data, evaluation: [])
        var counts = [Int](repeating: 0, count: g.order)
        var checkpoint: TrainingCheckpoint? = nil
        for _ in 0..<steps {
            let before = network.state["fc.weight"]!.scalars
            let outcome = try trainer.run(from: checkpoint, shouldStop: { true })
            checkpoint = outcome.checkpoint
            let after = network.state["fc.weight"]!.scalars
            let delta = (0..<16).map { Double(after[$0]) - Double(before[$0]) }
            // The candidate the update is parallel to (cosine ±1).
            let cosines = candidates.map { c -> Double in
                let dot = zip(delta, c).reduce(0) { $0 + $1.0 * Double($1.1) }
                let norms = (delta.reduce(0) { $0 + $1 * $1 } * c.reduce(0) { $0 + Double($1) * Double($1) }).squareRoot()
                return abs(dot) / norms
            }
            let best = cosines.indices.max { cosines[$0] < cosines[$1] }!
            XCTAssertGreaterThan(cosines[best], 0.999)
            counts[best] += 1
        }
        XCTAssertNil(checkpoint, "the last step ends the run without a checkpoint")
        XCTAssertEqual(counts.reduce(0, +), steps)
        // χ² with 7 degrees of freedom: P(χ² > 24.3) ≈ 0.001.
        let expected = Double(steps) / Double(g.order)
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        XCTAssertTrue(counts.allSatisfy { $0 > 0 }, "some element is never drawn: \(counts)")
        XCTAssertLessThan(chi2, 24.3, "element frequencies \(counts) are not uniform")
    }
}
