import XCTest
@testable import EqxTensor

/// Expected values are PyTorch's update rules worked by hand (SGD) or in Python (Adam), and were
/// cross-checked against torch.optim on the same inputs.
final class OptimizerTests: XCTestCase {
    let gradients: [[Float]] = [[0.5, -1], [-0.25, 2], [1, 0.5]]

    func run<O: Optimizer>(_ optimizer: inout O, steps: Int, lr: Float) throws -> [[Float]] {
        var params = [Tensor([1, -2])]
        var trajectory = [[Float]]()
        for s in 0..<steps {
            try optimizer.step(parameters: &params, gradients: [Tensor(gradients[s])], learningRate: lr)
            trajectory.append(params[0].scalars)
        }
        return trajectory
    }

    func assertTrajectory(_ got: [[Float]], _ expected: [[Double]], accuracy: Double = 1e-6,
                          file: StaticString = #filePath, line: UInt = #line) {
        for (g, e) in zip(got, expected) {
            assertClose(g.map(Double.init), e, atol: accuracy, rtol: accuracy, "trajectory", file: file, line: line)
        }
    }

    func testPlainSGD() throws {
        var sgd = try SGD()
        assertTrajectory(try run(&sgd, steps: 2, lr: 0.5), [[0.75, -1.5], [0.875, -2.5]])
        XCTAssertEqual(sgd.momentumBuffers.count, 1)
        XCTAssertNil(sgd.momentumBuffers[0])
    }

    func testSGDMomentumWithWeightDecay() throws {
        // Step 1: g = [0.5, -1] + 0.1·[1, -2] = [0.6, -1.2]; b = g; p = [0.7, -1.4].
        // Step 2: g = [-0.25, 2] + 0.1·[0.7, -1.4] = [-0.18, 1.86]; b = 0.9·b + g = [0.36, 0.78]; p = [0.52, -1.79].
        var sgd = try SGD(momentum: 0.9, weightDecay: 0.1)
        assertTrajectory(try run(&sgd, steps: 2, lr: 0.5), [[0.7, -1.4], [0.52, -1.79]])
        assertClose(sgd.momentumBuffers[0]!.scalars.map(Double.init), [0.36, 0.78], atol: 1e-6, rtol: 1e-6, "momentum buffer")
    }

    func testSGDNesterov() throws {
        // Step 1: b = [0.5, -1]; g = g + 0.9·b = [0.95, -1.9]; p = [0.525, -1.05].
        // Step 2: b = 0.9·[0.5, -1] + [-0.25, 2] = [0.2, 1.1]; g = [-0.25 + 0.18, 2 + 0.99] = [-0.07, 2.99];
        //         p = [0.56, -2.545].
        var sgd = try SGD(momentum: 0.9, nesterov: true)
        assertTrajectory(try run(&sgd, steps: 2, lr: 0.5), [[0.525, -1.05], [0.56, -2.545]])
    }

    func testSGDDampeningSkipsFirstStep() throws {
        // b1 = g1 (no dampening on the first step); b2 = 0.9·b1 + 0.5·g2 = [0.325, 0.1].
        var sgd = try SGD(momentum: 0.9, dampening: 0.5)
        _ = try run(&sgd, steps: 2, lr: 0.1)
        assertClose(sgd.momentumBuffers[0]!.scalars.map(Double.init), [0.325, 0.1], atol: 1e-6, rtol: 1e-6, "dampened buffer")
    }

    func testAdam() throws {
        var adam = try Adam()
        assertTrajectory(try run(&adam, steps: 3, lr: 0.1),
                         [[0.900000002, -1.900000001], [0.8733662987078463, -1.9366103534720749], [0.8075551396770898, -1.9781754731467738]])
        XCTAssertEqual(adam.stepCount, 3)
        XCTAssertEqual(adam.firstMoments.count, 1)
    }

    func testAdamL2WeightDecay() throws {
        var adam = try Adam(weightDecay: 0.1)
        assertTrajectory(try run(&adam, steps: 3, lr: 0.1),
                         [[0.9000000016666666, -1.9000000008333333], [0.8544413674617625, -1.9250178784643248], [0.7815043998631658, -1.953127270691488]])
    }

    func testAdamW() throws {
        var adam = try Adam.adamW(weightDecay: 0.1)
        assertTrajectory(try run(&adam, steps: 3, lr: 0.1),
                         [[0.890000002, -1.880000001], [0.8544662986878463, -1.897810353462075], [0.7801104766702113, -1.920397369602153]])
    }

    func testMismatchesThrow() throws {
        var sgd = try SGD(momentum: 0.9)
        var params = [Tensor([1, 2])]
        XCTAssertThrowsError(try sgd.step(parameters: &params, gradients: [Tensor([1, 2, 3])], learningRate: 0.1))
        XCTAssertThrowsError(try sgd.step(parameters: &params, gradients: [], learningRate: 0.1))
        try sgd.step(parameters: &params, gradients: [Tensor([1, 2])], learningRate: 0.1)
        var two = [Tensor([1]), Tensor([2])]
        XCTAssertThrowsError(try sgd.step(parameters: &two, gradients: [Tensor([1]), Tensor([2])], learningRate: 0.1))
        XCTAssertThrowsError(try SGD(momentum: 0, nesterov: true))
        XCTAssertThrowsError(try Adam(beta1: 1))
    }

    func testProjectedGradientsKeepMomentumInSubspace() throws {
        // If every gradient lies in the subspace {x0 = x1}, so do the momentum buffer and the update.
        var sgd = try SGD(momentum: 0.9, weightDecay: 0.01)
        var params = [Tensor([0.3, 0.3])]
        for s in 0..<5 {
            let g = Float(s) - 1.5
            try sgd.step(parameters: &params, gradients: [Tensor([g, g])], learningRate: 0.1)
        }
        XCTAssertEqual(params[0][flat: 0], params[0][flat: 1])
        XCTAssertEqual(sgd.momentumBuffers[0]![flat: 0], sgd.momentumBuffers[0]![flat: 1])
    }
}
