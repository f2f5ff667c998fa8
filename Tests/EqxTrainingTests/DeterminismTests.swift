import XCTest
import EqxData
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining

/// Every random draw of a run (shuffles, augmentation, dropout) comes from a stream named by the run
/// and the epoch or step, so runs repeat bit for bit and a checkpointed run resumes exactly.
final class DeterminismTests: XCTestCase {
    /// Uses every random stream the trainer has: shuffling, random augmentation, dropout, batch norm.
    let spec = makeSpec("dropout", input: [1, 6, 6], [
        ("conv1", conv3(4)), ("bn", .batchNorm(affine: true, momentum: 0.1)), ("relu", .relu), ("drop", .dropout(0.3)),
        ("pool", .avgPool(kernel: 2, stride: 2)), ("flat", .flatten), ("fc", .linear(out: 3, bias: true)),
    ])

    func statements() -> [(String, TrainSpec)] {
        [
            ("augmented(random) with momentum SGD",
             trainSpec(spec, mode: .augmented(.dihedral4, sampling: .random), optimizer: momentumSGD(), batch: 10, steps: 17,
                       invariance: invariancePenalty(.mirror(.horizontal), weight: 0.5, start: 0))),
            ("equivariant with Adam", trainSpec(spec, mode: .equivariant(.rotations(4)), optimizer: adam(), batch: 10, steps: 17)),
            ("nominal", trainSpec(spec, mode: .nominal, batch: 10, steps: 17)),
        ]
    }

    func testIdenticalRunsAreBitIdentical() throws {
        let data = try toyData("determinism", count: 40)
        for (name, statement) in statements() {
            let a = freshNetwork(spec), b = freshNetwork(spec)
            let outcomeA = try Trainer(spec: statement, network: a, data: data, evaluation: []).run()
            let outcomeB = try Trainer(spec: statement, network: b, data: data, evaluation: []).run()
            XCTAssertTrue(bitIdentical(a.state, b.state), "\(name): two identical runs differ")
            XCTAssertEqual(outcomeA.curve, outcomeB.curve, name)
            XCTAssertFalse(bitIdentical(a.state, freshNetwork(spec).state), "\(name): nothing was trained")
        }
    }

    func testCheckpointedRunResumesExactly() throws {
        let data = try toyData("determinism", count: 40)
        for (name, statement) in statements() {
            let whole = freshNetwork(spec)
            let wholeOutcome = try Trainer(spec: statement, network: whole, data: data, evaluation: []).run()

            // Stop after 6 steps (mid-epoch: 4 steps per epoch), resume with a new trainer and network.
            var calls = 0
            let first = try Trainer(spec: statement, network: freshNetwork(spec), data: data, evaluation: [])
                .run(shouldStop: { calls += 1; return calls == 6 })
            XCTAssertTrue(first.interrupted, name)
            let checkpoint = try XCTUnwrap(first.checkpoint, name)
            XCTAssertEqual(checkpoint.step, 6, name)
            let resumed = freshNetwork(spec)
            let resumedOutcome = try Trainer(spec: statement, network: resumed, data: data, evaluation: []).run(from: checkpoint)

            XCTAssertTrue(bitIdentical(resumed.state, whole.state), "\(name): the resumed run ends elsewhere")
            XCTAssertEqual(resumedOutcome.steps, wholeOutcome.steps, name)
            XCTAssertEqual(resumedOutcome.curve, wholeOutcome.curve, name)
        }
    }
}
