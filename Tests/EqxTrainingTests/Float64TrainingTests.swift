import XCTest
import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// The theorems of Nordenfors et al. hold exactly, so in float64 they show at float64 rounding (~1e-16)
/// where float32 shows ~1e-7: orbit-augmented SGD started in E stays in E, and ∇R_aug = Π_E∇R at θ ∈ E.
final class Float64TrainingTests: XCTestCase {
    func network64(_ spec: NetworkSpec, _ state: StateDict) throws -> Network64 {
        try Network64(spec: spec, state: state.converted(to: Double.self))
    }

    func train64(_ spec: NetworkSpec, from start: Network64, mode: TrainingMode, data: Dataset, steps: Int = 50,
                 tracked: [TrackedMetric] = []) throws -> (Network64, TrainingOutcome) {
        let net = try Network64(spec: spec, state: start.state)
        let outcome = try Trainer64(spec: trainSpec(spec, mode: mode, steps: steps, tracked: tracked, trackEvery: 10),
                                    network: net, data: data, evaluation: []).run()
        return (net, outcome)
    }

    func testFloat64NetworkStartsAtTheFloat32Weights() throws {
        let spec = smallCNN()
        let narrow = freshNetwork(spec, "widen"), wide = Network64(spec: spec, seed: 11, streamName: "widen")
        for k in narrow.state.keys { XCTAssertEqual(wide.state[k]!.scalars, narrow.state[k]!.scalars.map(Double.init), k) }
    }

    func testOrbitAugmentedContinuationStaysInEAtFloat64Rounding() throws {
        let spec = smallCNN()
        let data = try toyData("float64-orbit", count: 64)
        let g = GroupSpec.rotations(4)
        let projector = try ReynoldsProjector(group: group(g, spec), spec: spec, hidden: .trivial)
        let start = try network64(spec, freshNetwork(spec, "float64-orbit").state)
        start.state = projector.project(start.state, includeBuffers: true)
        let tracked = TrackedMetric.distanceToE(g, .trivial)
        let (augmented, outcome) = try train64(spec, from: start, mode: .augmented(g, sampling: .orbit), data: data, tracked: [tracked])
        let (nominal, _) = try train64(spec, from: start, mode: .nominal, data: data)
        var moved = 0.0
        for k in start.state.parameterKeys { moved += try (augmented.state[k]! - start.state[k]!).squaredNorm }
        XCTAssertGreaterThan((moved / start.state.parameterSquaredNorm).squareRoot(), 0.05, "the weights barely moved")
        XCTAssertLessThan(outcome.curve.last!.loss, outcome.curve.first!.loss, "the loss did not fall")

        let d = projector.distance(augmented.state)
        XCTAssertLessThanOrEqual(d.relative, 1e-15, "float64 orbit-augmented SGD left E: \(d.relative)")
        XCTAssertGreaterThan(projector.distance(nominal.state).relative, 1e-3, "nominal SGD stays in E: the test would be vacuous")
        for p in outcome.distance { XCTAssertLessThanOrEqual(p.relative, 1e-15, "tracked distance at step \(p.step)") }

        // The float32 run of the same protocol sits at float32 rounding, far above.
        let narrowStart = try Network(spec: spec, state: projector.project(freshNetwork(spec, "float64-orbit").state, includeBuffers: true))
        _ = try Trainer(spec: trainSpec(spec, mode: .augmented(g, sampling: .orbit), steps: 50), network: narrowStart,
                        data: data, evaluation: []).run()
        XCTAssertGreaterThan(projector.distance(narrowStart.state).relative, 1e3 * max(d.relative, 1e-18))
    }

    func testGradientIdentityAtFloat64Rounding() throws {
        let spec = smallCNN()
        let data = try toyData("float64-gradient", count: 300)
        let g = try group(.rotations(4), spec)
        let projector = try ReynoldsProjector(group: g, spec: spec, hidden: .trivial)
        let offE = try network64(spec, freshNetwork(spec, "float64-gradient").state)
        let inE = try Network64(spec: spec, state: projector.project(offE.state, includeBuffers: true))
        let atE = try gradientIdentity(inE, group: g, hidden: .trivial, on: data, loss: .crossEntropy)
        XCTAssertLessThan(atE.discrepancy, 1e-14, "∇R_aug ≠ Π_E∇R at a point of E in float64")
        XCTAssertGreaterThan(atE.offE, 1e-3, "the nominal gradient already lies in E: the test would be vacuous")
        let away = try gradientIdentity(offE, group: g, hidden: .trivial, on: data, loss: .crossEntropy)
        XCTAssertGreaterThan(away.discrepancy, 1e-3, "off E the identity must fail")
        // The float32 measurement of the same point is at float32 rounding.
        let narrow = try gradientIdentity(try Network(spec: spec, state: projector.project(freshNetwork(spec, "float64-gradient").state,
                                                                                             includeBuffers: true)),
                                          group: g, hidden: .trivial, on: data, loss: .crossEntropy)
        XCTAssertGreaterThan(narrow.discrepancy, 100 * atE.discrepancy)
    }

    func testFloat64TrainingIsDeterministic() throws {
        let spec = smallCNN()
        let data = try toyData("float64-determinism", count: 64)
        let start = try network64(spec, freshNetwork(spec, "float64-determinism").state)
        let mode = TrainingMode.augmented(.rotations(4), sampling: .random)
        let (a, oa) = try train64(spec, from: start, mode: mode, data: data, steps: 20)
        let (b, ob) = try train64(spec, from: start, mode: mode, data: data, steps: 20)
        for k in a.state.keys {
            XCTAssertEqual(a.state[k]!.scalars.map(\.bitPattern), b.state[k]!.scalars.map(\.bitPattern), "\(k) differs between runs")
        }
        XCTAssertEqual(oa.curve, ob.curve)
        XCTAssertNotEqual(a.state, start.state, "the runs did not train")
    }
}
