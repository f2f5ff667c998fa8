import XCTest
import EqxMerge

/// `Merger.barriers` on hand-made curves: B = max_α [L(α) − ((1−α)L(0) + αL(1))], the accuracy analogue
/// (a drop is positive), and the midpoint values at the grid point nearest the middle. Tolerance 1e-12.
final class BarrierTests: XCTestCase {
    func testLinearCurveHasNoBarrier() {
        let alphas = [0, 0.25, 0.5, 0.75, 1.0]
        let b = Merger.barriers(alphas: alphas, losses: alphas.map { 2 - 1.5 * $0 }, accuracies: alphas.map { 0.5 + 0.4 * $0 })
        XCTAssertEqual(b.loss, 0, accuracy: 1e-12)
        XCTAssertEqual(b.accuracy, 0, accuracy: 1e-12)
        XCTAssertEqual(b.midLoss, 0, accuracy: 1e-12)
        XCTAssertEqual(b.midAccuracy, 0, accuracy: 1e-12)
    }

    func testHumpAtTheMidpoint() {
        // Linear baselines: loss 1 + α, accuracy 0.9 − 0.2α.
        let b = Merger.barriers(alphas: [0, 0.25, 0.5, 0.75, 1],
                                losses: [1, 2, 3, 1.5, 2], accuracies: [0.9, 0.6, 0.5, 0.8, 0.7])
        XCTAssertEqual(b.loss, 1.5, accuracy: 1e-12)
        XCTAssertEqual(b.midLoss, 1.5, accuracy: 1e-12)
        XCTAssertEqual(b.accuracy, 0.3, accuracy: 1e-12)
        XCTAssertEqual(b.midAccuracy, 0.3, accuracy: 1e-12)
    }

    func testMaximumAwayFromTheMidpoint() {
        // Loss baseline 1 everywhere; the worst point is α = 0.25, the midpoint is below the baseline.
        let b = Merger.barriers(alphas: [0, 0.25, 0.5, 0.75, 1],
                                losses: [1, 3, 0.5, 1.25, 1], accuracies: [0.8, 0.8, 0.9, 0.2, 0.8])
        XCTAssertEqual(b.loss, 2, accuracy: 1e-12)
        XCTAssertEqual(b.midLoss, -0.5, accuracy: 1e-12)
        XCTAssertEqual(b.accuracy, 0.6, accuracy: 1e-12)
        XCTAssertEqual(b.midAccuracy, -0.1, accuracy: 1e-12)
    }

    func testPathBetterThanEndpointsHasZeroBarrierButNegativeMidpoint() {
        // The endpoints always count (their excess is 0), so the barrier is never negative.
        let b = Merger.barriers(alphas: [0, 0.5, 1], losses: [2, 1, 2], accuracies: [0.5, 0.9, 0.5])
        XCTAssertEqual(b.loss, 0, accuracy: 1e-12)
        XCTAssertEqual(b.accuracy, 0, accuracy: 1e-12)
        XCTAssertEqual(b.midLoss, -1, accuracy: 1e-12)
        XCTAssertEqual(b.midAccuracy, -0.4, accuracy: 1e-12)
    }

    func testMidpointOnAGridWithoutOneHalf() {
        // Nearest to 0.5 is 0.45 (0.05 away; 0.7 is 0.2 away). Baseline at 0.45: loss 1 + 0.45, accuracy 0.9 − 0.45·0.1.
        let b = Merger.barriers(alphas: [0, 0.2, 0.45, 0.7, 1],
                                losses: [1, 1.5, 2.2, 2.5, 2], accuracies: [0.9, 0.8, 0.7, 0.6, 0.8])
        XCTAssertEqual(b.midLoss, 2.2 - 1.45, accuracy: 1e-12)
        XCTAssertEqual(b.midAccuracy, (0.9 - 0.045) - 0.7, accuracy: 1e-12)
        // Maximum over the grid: α = 0.7 has excess 2.5 − 1.7 = 0.8; accuracy drop at 0.7: 0.83 − 0.6.
        XCTAssertEqual(b.loss, 0.8, accuracy: 1e-12)
        XCTAssertEqual(b.accuracy, 0.83 - 0.6, accuracy: 1e-12)
    }

    func testGridOnASubintervalUsesItsOwnEndpoints() {
        // Endpoints α = 0.2 and 0.6; middle 0.4; baseline at 0.4 is the mean of the ends.
        let b = Merger.barriers(alphas: [0.2, 0.4, 0.6], losses: [1, 4, 3], accuracies: [0.6, 0.1, 0.4])
        XCTAssertEqual(b.loss, 2, accuracy: 1e-12)
        XCTAssertEqual(b.midLoss, 2, accuracy: 1e-12)
        XCTAssertEqual(b.accuracy, 0.4, accuracy: 1e-12)
        XCTAssertEqual(b.midAccuracy, 0.4, accuracy: 1e-12)
    }

    func testDegenerateGridsGiveZero() {
        for alphas in [[0.5], []] as [[Double]] {
            let values = alphas.map { _ in 1.0 }
            let b = Merger.barriers(alphas: alphas, losses: values, accuracies: values)
            XCTAssertEqual([b.loss, b.accuracy, b.midLoss, b.midAccuracy], [0, 0, 0, 0], "\(alphas)")
        }
    }

    /// A constant curve (a G-CNN merged with its own transform) has barrier exactly 0, for every grid.
    func testConstantCurvesHaveExactlyZeroBarrier() {
        for value in [0.8375, 0.1 + 0.2, 2.302585092994046, 1e-9] {
            let alphas = (0...10).map { Double($0) / 10 }
            let values = alphas.map { _ in value }
            let b = Merger.barriers(alphas: alphas, losses: values, accuracies: values)
            XCTAssertEqual([b.loss, b.accuracy, b.midLoss, b.midAccuracy], [0, 0, 0, 0], "\(value)")
        }
    }
}
