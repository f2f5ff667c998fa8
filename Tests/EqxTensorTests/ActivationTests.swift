import XCTest
@testable import EqxTensor

final class ActivationTests: XCTestCase {
    let x = randomTensor([2, 3, 4], "act/x", scale: 3)

    func testRelu() throws {
        try checkOp("relu", inputs: [x], op: { relu($0[0]) }, reference: { $0[0].map { max($0, 0) } })
    }

    func testLeakyRelu() throws {
        try checkOp("leakyRelu", inputs: [x], op: { leakyRelu($0[0], slope: 0.2) }, reference: { $0[0].map { $0 > 0 ? $0 : 0.2 * $0 } })
    }

    func testTanh() throws {
        try checkOp("tanh", inputs: [x], op: { tanh($0[0]) }, reference: { $0[0].map { Foundation.tanh($0) } })
    }

    func testSigmoidIncludingLargeInputs() throws {
        try checkOp("sigmoid", inputs: [x], op: { sigmoid($0[0]) }, reference: { $0[0].map { 1 / (1 + Foundation.exp(-$0)) } })
        let extreme = sigmoid(Variable(Tensor([-200, -30, 0, 30, 200])))
        XCTAssertEqual(extreme.value.scalars, [0, Float(1 / (1 + Foundation.exp(30.0))), 0.5, 1, 1])
    }

    func testSquare() throws {
        try checkOp("square", inputs: [x], op: { square($0[0]) }, reference: { $0[0].map { $0 * $0 } })
    }
}
