import XCTest
@testable import EqxTensor

final class InitializerTests: XCTestCase {
    func testDefaultConvAndLinearBounds() {
        // PyTorch: kaiming_uniform(a=√5) ⇒ gain √(2/6), bound gain·√(3/fan_in) = 1/√fan_in.
        var rng = RandomStream(seed: 0, name: "init")
        let w = Initializer.defaultWeight([64, 16, 3, 3], rng: &rng)
        let bound = 1 / Float(144).squareRoot()
        XCTAssertEqual(Initializer.fanIn([64, 16, 3, 3]), 144)
        XCTAssertLessThanOrEqual(w.maxAbs, bound)
        XCTAssertGreaterThan(w.maxAbs, 0.99 * bound)
        // Variance of U(−b, b) is b²/3.
        XCTAssertEqual(w.squaredNorm / Double(w.count), Double(bound * bound) / 3, accuracy: 0.05 * Double(bound * bound) / 3)
        XCTAssertEqual(w.mean, 0, accuracy: 0.002)

        let b = Initializer.defaultBias(weightShape: [10, 1024], rng: &rng)
        XCTAssertEqual(b.shape, [10])
        XCTAssertLessThanOrEqual(b.maxAbs, 1 / 32)
    }

    func testKaimingNormalStd() {
        var rng = RandomStream(seed: 0, name: "kn")
        let w = Initializer.kaimingNormal([128, 32, 3, 3], rng: &rng)
        XCTAssertEqual((w.squaredNorm / Double(w.count)).squareRoot(), (2.0 / 288).squareRoot(), accuracy: 0.01 * (2.0 / 288).squareRoot())
    }

    func testBatchNormDefaults() {
        let s = BatchNormStatistics(channels: 4)
        XCTAssertEqual(s.runningMean.scalars, [0, 0, 0, 0])
        XCTAssertEqual(s.runningVariance.scalars, [1, 1, 1, 1])
        XCTAssertEqual(s.momentum, 0.1)
    }

    func testDropout() throws {
        var rng = RandomStream(seed: 5, name: "dropout")
        let x = Variable(Tensor.filled([10_000], with: 2), requiresGrad: true)
        let y = try dropout(x, p: 0.25, training: true, rng: &rng)
        let kept = y.value.scalars.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 2 / 0.75) < 1e-6 })
        XCTAssertEqual(Double(kept.count), 7_500, accuracy: 250)
        try sum(y).backward()
        XCTAssertEqual(x.grad!.scalars.map { $0 != 0 }, y.value.scalars.map { $0 != 0 }, "gradient flows only through kept units")
        let eval = try dropout(x, p: 0.25, training: false, rng: &rng)
        XCTAssertEqual(eval.value, x.value)
        XCTAssertThrowsError(try dropout(x, p: 1, training: true, rng: &rng))
    }
}
