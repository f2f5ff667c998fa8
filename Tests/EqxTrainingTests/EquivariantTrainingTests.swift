import XCTest
import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// Equivariant training projects the initial point and every gradient; with permutation
/// representations every optimizer update of an orbit-constant tensor is orbit-constant (SGD, momentum,
/// weight decay and Adam's element-wise moments alike), so the weights never leave E.
final class EquivariantTrainingTests: XCTestCase {
    let configurations: [(GroupSpec, ChannelAction, NetworkSpec)] = [
        (.rotations(4), .trivial, smallCNN()),
        (.mirror(.horizontal), .regular, pooledCNN(width: 4)),
        (.dihedral4, .regular, pooledCNN(width: 8)),
    ]

    func testWeightsAndOptimizerStateStayInE() throws {
        let data = try toyData("equivariant", count: 48)
        for (g, hidden, spec) in configurations {
            for (optimizerName, optimizer) in [("momentum SGD", momentumSGD()), ("Adam", adam())] {
                let what = "\(g) \(hidden) with \(optimizerName)"
                let projector = try ReynoldsProjector(group: group(g, spec), spec: spec, hidden: hidden)
                let network = freshNetwork(spec, "equivariant")
                let initial = network.state
                XCTAssertGreaterThan(projector.distance(initial).relative, 0.1, "\(what): the initialisation should be outside E")
                let statement = trainSpec(spec, mode: .equivariant(g), channels: hidden, optimizer: optimizer, steps: 30,
                                          tracked: [.distanceToE(g, .action(hidden))], trackEvery: 1)
                let trainer = try Trainer(spec: statement, network: network, data: data, evaluation: [])

                // Stop after 20 steps to inspect the optimizer's buffers, then finish the run.
                var steps = 0
                let first = try trainer.run(shouldStop: { steps += 1; return steps == 20 })
                let checkpoint = try XCTUnwrap(first.checkpoint, what)
                // Batch-norm statistics are shared over each orbit of channels, so the running ones are in E at
                // every step, not only after the final projection (eval-mode evaluations during training are equivariant).
                XCTAssertEqual(projector.project(checkpoint.state, includeBuffers: true), checkpoint.state,
                               "\(what): running statistics left E during training")
                var buffers = 0
                for (key, tensor) in checkpoint.optimizerState where key != "step" {
                    let parameter = String(key[..<key.lastIndex(of: ".")!])
                    XCTAssertEqual(projector.project(tensor, key: parameter), tensor, "\(what): optimizer buffer \(key) is not in E")
                    buffers += 1
                }
                let parameters = network.state.parameterKeys.count
                XCTAssertEqual(buffers, optimizerName == "Adam" ? 2 * parameters : parameters, "\(what): optimizer buffers")
                let outcome = try trainer.run(from: checkpoint)

                XCTAssertEqual(outcome.distance.count, 31, what)
                let worst = outcome.distance.map(\.absolute).max() ?? .infinity
                XCTAssertLessThanOrEqual(worst, 1e-7, "\(what): the weights left E (largest distance \(worst))")
                // Buffers (batch-norm statistics) are projected at the end, so eval mode is exactly equivariant.
                XCTAssertEqual(projector.project(network.state, includeBuffers: true), network.state, what)
                var moved = 0.0
                let start = projector.project(initial)
                for k in start.parameterKeys { moved += try (network.state[k]! - start[k]!).squaredNorm }
                XCTAssertGreaterThan((moved / start.parameterSquaredNorm).squareRoot(), 0.02, "\(what): weights barely moved")
            }
        }
    }

    /// A G-CNN (regular channels, batch norm) is invariant in training mode too: batch statistics shared
    /// over each regular field, as escnn's InnerBatchNorm does.
    func testRegularGCNNIsInvariantInBothModes() throws {
        let data = try toyData("gcnn-modes", count: 48)
        for (g, width) in [(GroupSpec.mirror(.horizontal), 4), (.rotations(4), 8)] {
            let spec = pooledCNN(width: width)
            let projector = try ReynoldsProjector(group: group(g, spec), spec: spec, hidden: .regular)
            XCTAssertEqual(projector.batchNormOrbits["bn"]?.sizes, Array(repeating: width == 4 ? 2 : 4, count: width == 4 ? 2 : 2),
                           "\(g): one orbit per regular field")
            let network = freshNetwork(spec, "gcnn-modes")
            let trainer = try Trainer(spec: trainSpec(spec, mode: .equivariant(g), channels: .regular, optimizer: momentumSGD(), steps: 12),
                                      network: network, data: data, evaluation: [])
            _ = try trainer.run()
            let x = try data.batch(Array(0..<16)).inputs
            let action = try projector.representation.inputAction
            for training in [false, true] {
                var options = ForwardOptions(training: training, gradients: false)
                options.sharedStatistics = projector.batchNormOrbits
                let reference = try network.copy().forward(x, options: options).output.value
                for element in 1..<projector.representation.group.order {
                    let moved = try network.copy().forward(try x.acted(by: action, element: element), options: options).output.value
                    let worst = zip(moved.scalars, reference.scalars).map { abs($0 - $1) }.max() ?? .infinity
                    XCTAssertLessThan(worst, 1e-5, "\(g) element \(element), training mode \(training): f(g·x) ≠ f(x)")
                }
            }
        }
    }
}
