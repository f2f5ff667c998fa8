import XCTest
import EqxData
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining

/// A diverging run stops with a `TrainingError` that says where: the step, and the layer when a
/// gradient becomes non-finite before the loss does.
final class DivergenceTests: XCTestCase {
    func testHugeLearningRateNamesTheStep() throws {
        // No activation: the logits are bilinear in the weights, so every step multiplies them (a ReLU
        // net would instead die with all units off and stay finite).
        let spec = makeSpec("bilinear", input: [1, 6, 6], [
            ("conv1", conv3(4)), ("flat", .flatten), ("fc", .linear(out: 3, bias: true)),
        ])
        let data = try toyData("diverge", count: 32)
        let statement = trainSpec(spec, mode: .nominal, optimizer: .sgd(lr: 1e12, momentum: 0, nesterov: false, weightDecay: 0),
                                  batch: 8, steps: 40)
        let trainer = try Trainer(spec: statement, network: freshNetwork(spec), data: data, evaluation: [])
        var completed = 0
        XCTAssertThrowsError(try trainer.run(progress: { completed = $0.step })) { error in
            guard let e = error as? TrainingError else { return XCTFail("expected a TrainingError, got \(error)") }
            XCTAssertTrue(e.message.contains("diverged"), e.message)
            XCTAssertTrue(e.message.contains("at step \(completed + 1) "), "step \(completed + 1) expected in: \(e.message)")
            XCTAssertNotNil(e.help)
        }
        XCTAssertGreaterThan(completed, 0, "the first step has a finite loss")
        XCTAssertLessThan(completed, 40)
    }

    /// fc1 scales by 1e-30 and fc2 by ±1e30: logits and loss stay finite (about 1e11), but the gradient
    /// of fc1 is (fc2ᵀδ) ⊗ x ≈ 1e30 · 1e10, beyond Float's range, at the first step.
    func testNonFiniteGradientNamesTheLayer() throws {
        let spec = makeSpec("linear2", input: [4], [
            ("fc1", .linear(out: 3, bias: false)), ("relu", .relu), ("fc2", .linear(out: 2, bias: false)),
        ])
        var state = StateDict()
        state.insert("fc1.weight", .filled([3, 4], with: 1e-30), trainable: true)
        var fc2 = Tensor.filled([2, 3], with: 1e30)
        for j in 0..<3 { fc2[1, j] = -1e30 }
        state.insert("fc2.weight", fc2, trainable: true)
        let network = try Network(spec: spec, state: state)
        let data = try Dataset(name: "huge", sampleShape: [4], inputs: [Float](repeating: 1e10, count: 16 * 4),
                               labels: [Int](repeating: 1, count: 16), classes: 2)
        let trainer = try Trainer(spec: trainSpec(spec, mode: .nominal, batch: 8, steps: 4), network: network, data: data, evaluation: [])
        XCTAssertThrowsError(try trainer.run()) { error in
            guard let e = error as? TrainingError else { return XCTFail("expected a TrainingError, got \(error)") }
            XCTAssertTrue(e.message.contains("layer 'fc1'"), e.message)
            XCTAssertTrue(e.message.contains("at step 1 "), e.message)
        }
        // The weights are left as they were before the failing step.
        XCTAssertEqual(network.state["fc1.weight"], state["fc1.weight"])
    }
}
