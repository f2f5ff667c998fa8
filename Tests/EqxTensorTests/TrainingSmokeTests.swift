import XCTest
import EqxTensor

/// A tiny conv net must learn a small synthetic task end to end (forward, backward, SGD).
final class TrainingSmokeTests: XCTestCase {
    /// 8×8 images: a bright 3×3 blob placed at a random position inside one of four quadrants
    /// (the label), on uniform noise.
    func makeData(_ count: Int, _ name: String) -> (Tensor, [Int]) {
        var rng = RandomStream(seed: 11, name: name)
        var x = rng.uniformTensor([count, 1, 8, 8], 0, 0.5)
        var labels = [Int]()
        for i in 0..<count {
            let q = rng.int(below: 4)
            labels.append(q)
            let r0 = (q / 2) * 4 + rng.int(below: 2), c0 = (q % 2) * 4 + rng.int(below: 2)
            for r in r0..<(r0 + 3) { for c in c0..<(c0 + 3) { x[flat: i * 64 + r * 8 + c] += 1 } }
        }
        return (x, labels)
    }

    func testTinyConvNetLearns() throws {
        let (trainX, trainY) = makeData(512, "smoke/train")
        let (testX, testY) = makeData(256, "smoke/test")
        var rng = RandomStream(seed: 11, name: "smoke/init")
        var params = [
            Initializer.defaultWeight([6, 1, 3, 3], rng: &rng), Initializer.defaultBias(weightShape: [6, 1, 3, 3], rng: &rng),
            Initializer.defaultWeight([4, 96], rng: &rng), Initializer.defaultBias(weightShape: [4, 96], rng: &rng),
        ]
        var bn = BatchNormStatistics(channels: 6)
        func forward(_ x: Tensor, _ p: [Variable], training: Bool) throws -> Variable {
            var h = try conv2d(Variable(x), weight: p[0], bias: p[1], padding: 1)
            h = try batchNorm(h, statistics: &bn, training: training)
            h = try maxPool2d(relu(h), kernel: 2)
            return try linear(flatten(h), weight: p[2], bias: p[3])
        }
        var sgd = try SGD(momentum: 0.9)
        let schedule = LearningRateSchedule.warmup(steps: 20, then: .cosineDecay(initial: 0.05, final: 0.001))
        let steps = 300, batch = 32
        var order = rng.permutation(512)
        for step in 0..<steps {
            let start = (step * batch) % 512
            if start == 0 { order = rng.permutation(512) }
            let idx = Array(order[start..<(start + batch)])
            let vars = params.map { Variable($0, requiresGrad: true) }
            let loss = try crossEntropy(forward(trainX.gatheredBatch(idx), vars, training: true), labels: idx.map { trainY[$0] })
            try loss.backward()
            try sgd.step(parameters: &params, gradients: vars.map { $0.grad! }, learningRate: schedule.learningRate(step: step, totalSteps: steps))
        }
        let logits = try Gradients.disabled { try forward(testX, params.map { Variable($0) }, training: false) }
        let predicted = try logits.value.argmaxLastAxis()
        let accuracy = Double(zip(predicted, testY).filter { $0 == $1 }.count) / Double(testY.count)
        XCTAssertGreaterThanOrEqual(accuracy, 0.95, "held-out accuracy after \(steps) SGD steps")
    }
}
