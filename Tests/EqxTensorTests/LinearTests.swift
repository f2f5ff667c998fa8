import XCTest
@testable import EqxTensor

final class LinearTests: XCTestCase {
    func naiveLinear(_ x: [Double], rows: Int, _ w: [Double], out: Int, inFeatures: Int, _ b: [Double]?) -> [Double] {
        var y = [Double](repeating: 0, count: rows * out)
        for r in 0..<rows { for o in 0..<out {
            var acc = b?[o] ?? 0
            for i in 0..<inFeatures { acc += x[r * inFeatures + i] * w[o * inFeatures + i] }
            y[r * out + o] = acc
        } }
        return y
    }

    func testLinearWithAndWithoutBias() throws {
        for bias in [true, false] {
            let x = randomTensor([5, 7], "lin/x"), w = randomTensor([3, 7], "lin/w"), b = randomTensor([3], "lin/b")
            try checkOp("linear bias=\(bias)", inputs: bias ? [x, w, b] : [x, w], op: { v in
                try linear(v[0], weight: v[1], bias: bias ? v[2] : nil)
            }, reference: { d in self.naiveLinear(d[0], rows: 5, d[1], out: 3, inFeatures: 7, bias ? d[2] : nil) })
        }
    }

    func testLinearOnRank3Input() throws {
        let x = randomTensor([2, 3, 4], "lin3/x"), w = randomTensor([6, 4], "lin3/w")
        try checkOp("linear rank 3", inputs: [x, w], op: { v in try linear(v[0], weight: v[1]) },
                    reference: { d in self.naiveLinear(d[0], rows: 6, d[1], out: 6, inFeatures: 4, nil) })
    }

    func testMatmulAgainstNaive() throws {
        let a = randomTensor([4, 3], "mm/a"), b = randomTensor([5, 3], "mm/b")
        let c = try a.matmul(b, transposeOther: true)
        let ref = naiveLinear(doubles(a), rows: 4, doubles(b), out: 5, inFeatures: 3, nil)
        assertClose(doubles(c), ref, atol: 1e-6, rtol: 1e-6, "matmul")
        let gram = try a.matmul(a, transposeSelf: true)  // aᵀa, [3, 3]
        var ref2 = [Double](repeating: 0, count: 9)
        let ad = doubles(a)
        for i in 0..<3 { for j in 0..<3 { for r in 0..<4 { ref2[i * 3 + j] += ad[r * 3 + i] * ad[r * 3 + j] } } }
        assertClose(doubles(gram), ref2, atol: 1e-6, rtol: 1e-6, "aᵀa")
        XCTAssertThrowsError(try a.matmul(b))
    }

    func testShapeErrors() {
        let x = Variable(.zeros([2, 5])), w = Variable(.zeros([3, 4]), label: "fc")
        XCTAssertThrowsError(try linear(x, weight: w)) { error in
            XCTAssertTrue("\(error)".contains("fc") && "\(error)".contains("[2, 5]"), "\(error)")
        }
        XCTAssertThrowsError(try linear(Variable(.zeros([2, 4])), weight: w, bias: Variable(.zeros([4]))))
    }
}
