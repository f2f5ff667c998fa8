import XCTest
@testable import EqxTensor

func naivePool(_ x: [Double], _ s: [Int], kernel: Int, stride: Int, max useMax: Bool) -> [Double] {
    let (n, c, h, w) = (s[0], s[1], s[2], s[3])
    let oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1
    var y = [Double]()
    for p in 0..<(n * c) { for i in 0..<oh { for j in 0..<ow {
        var vals = [Double]()
        for a in 0..<kernel { for b in 0..<kernel { vals.append(x[p * h * w + (i * stride + a) * w + j * stride + b]) } }
        y.append(useMax ? vals.max()! : vals.reduce(0, +) / Double(vals.count))
    } } }
    return y
}

final class PoolingTests: XCTestCase {
    func testMaxPool() throws {
        for (shape, k, s) in [([2, 3, 6, 8], 2, 2), ([1, 2, 7, 5], 3, 2), ([2, 1, 5, 5], 2, 1), ([1, 2, 7, 9], 2, 2)] {
            let x = randomTensor(shape, "mp\(shape)")
            try checkOp("maxPool \(shape) k\(k) s\(s)", inputs: [x], op: { try maxPool2d($0[0], kernel: k, stride: s) },
                        reference: { naivePool($0[0], shape, kernel: k, stride: s, max: true) }, h: 1e-4)
        }
    }

    func testMaxPoolWithoutGradientsGivesTheSameValues() throws {
        let x = randomTensor([2, 3, 6, 8], "mp/nograd")
        let withGrad = try maxPool2d(Variable(x, requiresGrad: true), kernel: 2)
        let without = try Gradients.disabled { try maxPool2d(Variable(x, requiresGrad: true), kernel: 2) }
        XCTAssertEqual(withGrad.value, without.value)
        XCTAssertFalse(without.requiresGrad)
    }

    func testAvgPool() throws {
        for (shape, k, s) in [([2, 3, 6, 8], 2, 2), ([1, 2, 7, 5], 3, 2), ([2, 1, 5, 5], 2, 1), ([1, 2, 7, 9], 2, 2)] {
            let x = randomTensor(shape, "ap\(shape)")
            try checkOp("avgPool \(shape) k\(k) s\(s)", inputs: [x], op: { try avgPool2d($0[0], kernel: k, stride: s) },
                        reference: { naivePool($0[0], shape, kernel: k, stride: s, max: false) })
        }
    }

    func testGlobalAvgPool() throws {
        let x = randomTensor([2, 3, 4, 5], "gap")
        try checkOp("globalAvgPool", inputs: [x], op: { try globalAvgPool($0[0]) },
                    reference: { d in (0..<6).map { p in d[0][(p * 20)..<(p * 20 + 20)].reduce(0, +) / 20 } })
    }

    func testBadInputsThrow() {
        XCTAssertThrowsError(try maxPool2d(Variable(.zeros([1, 1, 1, 1])), kernel: 2))
        XCTAssertThrowsError(try maxPool2d(Variable(.zeros([4, 4])), kernel: 2))
        XCTAssertThrowsError(try globalAvgPool(Variable(.zeros([2, 3]))))
    }
}
