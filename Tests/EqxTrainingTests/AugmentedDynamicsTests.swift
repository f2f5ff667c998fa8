import XCTest
import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining

/// Nordenfors, Ohlsson & Flinth: with full-orbit augmentation, plain weights (a unitary
/// parametrisation) and symmetric filter supports (compatibility), E is invariant under SGD — a run
/// started in E stays there up to float rounding — while nominal SGD from the same point leaves E.
final class AugmentedDynamicsTests: XCTestCase {
    struct Run { var network: Network; var outcome: TrainingOutcome }

    func train(_ spec: NetworkSpec, from start: StateDict, mode: TrainingMode, data: Dataset, tracked: TrackedMetric,
               steps: Int) throws -> Run {
        let network = try Network(spec: spec, state: start)
        let trainer = try Trainer(spec: trainSpec(spec, mode: mode, steps: steps, tracked: [tracked], trackEvery: 10),
                                  network: network, data: data, evaluation: [])
        return Run(network: network, outcome: try trainer.run())
    }

    func checkOrbitAugmentationStaysInE(_ g: GroupSpec, _ spec: NetworkSpec, hidden: ChannelAction, _ name: String,
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try toyData(name, count: 64)
        let projector = try ReynoldsProjector(group: group(g, spec), spec: spec, hidden: hidden)
        let start = projector.project(freshNetwork(spec, name).state, includeBuffers: true)
        let steps = 50
        let tracked = TrackedMetric.distanceToE(g, .action(hidden))
        let augmented = try train(spec, from: start, mode: .augmented(g, sampling: .orbit), data: data, tracked: tracked, steps: steps)
        let nominal = try train(spec, from: start, mode: .nominal, data: data, tracked: tracked, steps: steps)

        let dAugmented = projector.distance(augmented.network.state).relative
        let dNominal = projector.distance(nominal.network.state).relative
        // Both runs really trained: the weights moved and the loss fell.
        for run in [augmented, nominal] {
            var moved = 0.0
            for k in start.parameterKeys { moved += try (run.network.state[k]! - start[k]!).squaredNorm }
            XCTAssertGreaterThan((moved / start.parameterSquaredNorm).squareRoot(), 0.05, "\(name): weights barely moved", file: file, line: line)
            XCTAssertLessThan(run.outcome.curve.last!.loss, run.outcome.curve.first!.loss, "\(name): loss did not fall", file: file, line: line)
        }
        XCTAssertLessThan(dAugmented, 1e-5, "\(name): augmented SGD left E", file: file, line: line)
        XCTAssertGreaterThan(dNominal / max(dAugmented, 1e-12), 1e3,
                             "\(name): nominal distance \(dNominal) is not orders of magnitude above augmented \(dAugmented)",
                             file: file, line: line)
        // The tracked distance agrees with the projector's and stays small at every tracked step.
        XCTAssertEqual(augmented.outcome.distance.last?.relative ?? -1, dAugmented, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(augmented.outcome.distance.map(\.step), [0, 10, 20, 30, 40, 50], file: file, line: line)
        for p in augmented.outcome.distance { XCTAssertLessThan(p.relative, 1e-5, "step \(p.step)", file: file, line: line) }
    }

    /// From a point of E, full-orbit augmented SGD follows the equivariant trajectory: at θ ∈ E its
    /// gradient is Π_E of the nominal one. (Trivial channels, so batch norm's batch statistics over the
    /// orbit batch equal those over the nominal batch.)
    func testOrbitAugmentationFollowsTheEquivariantTrajectory() throws {
        let spec = smallCNN()
        let data = try toyData("trajectory", count: 64)
        let g = GroupSpec.rotations(4)
        let projector = try ReynoldsProjector(group: group(g, spec), spec: spec, hidden: .trivial)
        let start = projector.project(freshNetwork(spec, "trajectory").state, includeBuffers: true)
        let tracked = TrackedMetric.distanceToE(g, .trivial)
        let augmented = try train(spec, from: start, mode: .augmented(g, sampling: .orbit), data: data, tracked: tracked, steps: 50)
        let equivariant = try train(spec, from: start, mode: .equivariant(g), data: data, tracked: tracked, steps: 50)
        var d2 = 0.0
        for k in start.parameterKeys { d2 += try (augmented.network.state[k]! - equivariant.network.state[k]!).squaredNorm }
        XCTAssertLessThan((d2 / equivariant.network.state.parameterSquaredNorm).squareRoot(), 1e-5)
        for (a, e) in zip(augmented.outcome.curve, equivariant.outcome.curve) {
            XCTAssertEqual(a.loss, e.loss, accuracy: 1e-5 * e.loss, "step \(a.step)")
        }
    }

    func testRotationOrbitWithTrivialChannels() throws {
        try checkOrbitAugmentationStaysInE(.rotations(4), smallCNN(), hidden: .trivial, "c4")
    }

    func testMirrorOrbitWithRegularChannels() throws {
        try checkOrbitAugmentationStaysInE(.mirror(.horizontal), pooledCNN(width: 4), hidden: .regular, "flip")
    }
}
