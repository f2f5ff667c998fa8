import XCTest
import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining

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
}
