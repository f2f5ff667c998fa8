import XCTest
import EqxTensor

final class LearningRateScheduleTests: XCTestCase {
    func lr(_ s: LearningRateSchedule, _ step: Int, _ total: Int = 100) -> Float { s.learningRate(step: step, totalSteps: total) }

    func testConstantAndStepDecay() {
        XCTAssertEqual(lr(.constant(0.3), 57), 0.3)
        let step = LearningRateSchedule.stepDecay(initial: 1, every: 10, gamma: 0.5)
        XCTAssertEqual(lr(step, 0), 1)
        XCTAssertEqual(lr(step, 9), 1)
        XCTAssertEqual(lr(step, 10), 0.5)
        XCTAssertEqual(lr(step, 19), 0.5)
        XCTAssertEqual(lr(step, 20), 0.25)
    }

    func testLinearDecayBoundaries() {
        let s = LearningRateSchedule.linearDecay(initial: 1, final: 0)
        XCTAssertEqual(lr(s, 0), 1)
        XCTAssertEqual(lr(s, 50), 0.5)
        XCTAssertEqual(lr(s, 100), 0)
        XCTAssertEqual(lr(s, 150), 0, "clamped after the end")
    }

    func testCosineDecayBoundaries() {
        let s = LearningRateSchedule.cosineDecay(initial: 0.1, final: 0.001)
        XCTAssertEqual(lr(s, 0), 0.1, accuracy: 1e-7)
        XCTAssertEqual(lr(s, 50), 0.0505, accuracy: 1e-7)
        XCTAssertEqual(lr(s, 100), 0.001, accuracy: 1e-7)
        XCTAssertEqual(lr(s, 25), Float(0.001 + 0.099 * (1 + cos(Double.pi / 4)) / 2), accuracy: 1e-7)
    }

    func testWarmupThenDecay() {
        let s = LearningRateSchedule.warmup(steps: 10, then: .linearDecay(initial: 1, final: 0))
        XCTAssertEqual(lr(s, 0, 110), 0.1, accuracy: 1e-7)
        XCTAssertEqual(lr(s, 4, 110), 0.5, accuracy: 1e-7)
        XCTAssertEqual(lr(s, 9, 110), 1, accuracy: 1e-7)
        XCTAssertEqual(lr(s, 10, 110), 1, accuracy: 1e-7, "decay starts at its own step 0")
        XCTAssertEqual(lr(s, 60, 110), 0.5, accuracy: 1e-7)
        XCTAssertEqual(lr(s, 110, 110), 0, accuracy: 1e-7)
    }
}
