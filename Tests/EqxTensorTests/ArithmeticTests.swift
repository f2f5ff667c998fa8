import XCTest
@testable import EqxTensor

final class ArithmeticTests: XCTestCase {
    let a = randomTensor([3, 4], "ar/a"), b = randomTensor([3, 4], "ar/b")

    func testAddSubMulScale() throws {
        try checkOp("add", inputs: [a, b], op: { try $0[0] + $0[1] }, reference: { zip($0[0], $0[1]).map(+) })
        try checkOp("sub", inputs: [a, b], op: { try $0[0] - $0[1] }, reference: { zip($0[0], $0[1]).map(-) })
        try checkOp("mul", inputs: [a, b], op: { try $0[0] * $0[1] }, reference: { zip($0[0], $0[1]).map(*) })
        try checkOp("scale", inputs: [a], op: { 2.5 * $0[0] }, reference: { $0[0].map { 2.5 * $0 } })
    }

    func testReductions() throws {
        try checkOp("sum", inputs: [a], op: { sum($0[0]) }, reference: { [$0[0].reduce(0, +)] })
        try checkOp("mean", inputs: [a], op: { mean($0[0]) }, reference: { [$0[0].reduce(0, +) / 12] })
    }

    func testInvariancePenaltyShape() throws {
        // λ‖f(x) − f(g·x)‖² as used by invariance-loss training, differentiated through both branches.
        try checkOp("penalty", inputs: [a, b], op: { v in scale(sum(square(try v[0] - v[1])), by: 0.3) },
                    reference: { d in [0.3 * zip(d[0], d[1]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }] })
    }

    func testResidualReuseAccumulatesGradients() throws {
        // y = relu(x) + x uses x twice: the gradient must add both paths.
        try checkOp("residual", inputs: [a], op: { v in try add(relu(v[0]), v[0]) },
                    reference: { $0[0].map { max($0, 0) + $0 } })
    }

    func testMismatchedShapesThrow() {
        XCTAssertThrowsError(try add(Variable(a), Variable(.zeros([4, 3])))) { error in
            XCTAssertEqual("\(error)", "add: shape mismatch: expected [3, 4], got [4, 3]")
        }
        XCTAssertThrowsError(try a + .zeros([12]))
        XCTAssertThrowsError(try mul(Variable(a), Variable(.zeros([3]))))
    }
}
