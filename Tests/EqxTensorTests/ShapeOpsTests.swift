import XCTest
@testable import EqxTensor

final class ShapeOpsTests: XCTestCase {
    let x = randomTensor([4, 2, 3], "shape/x")

    func testFlattenAndReshape() throws {
        try checkOp("flatten", inputs: [x], op: { v in
            let y = try flatten(v[0])
            XCTAssertEqual(y.shape, [4, 6])
            return y
        }, reference: { $0[0] })
        try checkOp("reshape", inputs: [x], op: { try reshape($0[0], [-1, 4]) }, reference: { $0[0] })
        XCTAssertThrowsError(try reshape(Variable(x), [5, -1]))
    }

    func testSliceAndConcatRows() throws {
        let y = randomTensor([2, 2, 3], "shape/y")
        try checkOp("sliceRows", inputs: [x], op: { try sliceRows($0[0], 1..<3) }, reference: { Array($0[0][6..<18]) })
        try checkOp("concatRows", inputs: [x, y], op: { try concatRows([$0[0], $0[1]]) }, reference: { $0[0] + $0[1] })
        XCTAssertThrowsError(try sliceRows(Variable(x), 3..<5))
        XCTAssertThrowsError(try concatRows([Variable(x), Variable(.zeros([1, 3, 2]))]))
    }

    func testGatherWithRepeatsScatterAdds() throws {
        let indices = [5, 0, 0, 23, 7, 5]
        try checkOp("gather", inputs: [x], op: { try gather($0[0], indices: indices, shape: [2, 3]) },
                    reference: { d in indices.map { d[0][$0] } })
        XCTAssertThrowsError(try gather(Variable(x), indices: [24], shape: [1]))
    }

    func testTensorHelpers() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 5, 2, 7, 7, -1])
        XCTAssertEqual(try t.argmaxLastAxis(), [1, 0])
        XCTAssertEqual(try t.gathered(indices: [2, 1, 0, 5, 4, 3], shape: [2, 3]).scalars, [2, 5, 1, -1, 7, 7])
        XCTAssertEqual(try t.slicedBatch(1..<2).scalars, [7, 7, -1])
        XCTAssertEqual(try Tensor.concatenatedBatch([t, t]).shape, [4, 3])
        XCTAssertEqual(try t.gatheredBatch([1, 1, 0]).scalars, [7, 7, -1, 7, 7, -1, 1, 5, 2])
        XCTAssertEqual(t.sum, 21)
        XCTAssertEqual(t.mean, 3.5)
        XCTAssertEqual(t.squaredNorm, 1 + 25 + 4 + 49 + 49 + 1)
        XCTAssertEqual(try t.dot(t), t.squaredNorm)
        XCTAssertEqual(try (t + t).scalars, t.scaled(by: 2).scalars)
        XCTAssertEqual(try (t - t).scalars, [Float](repeating: 0, count: 6))
        XCTAssertEqual(try (t * t).scalars, t.scalars.map { $0 * $0 })
        var u = t
        try u.add(t, scaledBy: -3)
        XCTAssertEqual(u.scalars, t.scalars.map { -2 * $0 })
        XCTAssertEqual(t[1, 2], -1)
        XCTAssertTrue(t.isAllFinite)
        XCTAssertFalse(Tensor([1, .nan]).isAllFinite)
        XCTAssertThrowsError(try Tensor(shape: [2, 2], scalars: [1, 2, 3])) { error in
            XCTAssertEqual("\(error)", "Tensor(shape:scalars:): 3 scalars do not fill shape [2, 2] (needs 4)")
        }
        XCTAssertThrowsError(try t.dot(.zeros([6])))
        XCTAssertThrowsError(try t.gathered(indices: [6]))
        XCTAssertEqual(Tensor(scalar: 3).shape, [])
        XCTAssertEqual(Tensor.filled([2], with: 4).scalars, [4, 4])
    }

    func testCopyOnWrite() {
        let a = Tensor.zeros([3])
        var b = a
        b[flat: 0] = 1
        XCTAssertEqual(a.scalars, [0, 0, 0])
        XCTAssertEqual(b.scalars, [1, 0, 0])
    }
}

extension ShapeOpsTests {
    /// `axisMovedFirst` against the index formula, for inner blocks below, at and above the vector width,
    /// empty axes, and enough rows to split across threads.
    func testAxisMovedFirstAgainstTheIndexFormula() throws {
        for (outer, n, inner) in [(3, 4, 5), (2, 3, 1), (250, 16, 784), (1, 7, 8), (4, 1, 13), (0, 3, 2), (3, 2, 0)] {
            let t = randomTensor([outer, n, inner], "moved \(outer) \(n) \(inner)")
            let moved = try t.axisMovedFirst(outer: outer, n: n, inner: inner)
            XCTAssertEqual(moved.shape, [n, outer * inner])
            var expected = [Float](repeating: 0, count: t.count)
            for k in 0..<n { for a in 0..<outer { for b in 0..<inner { expected[(k * outer + a) * inner + b] = t.scalars[(a * n + k) * inner + b] } } }
            XCTAssertEqual(moved.scalars, expected, "\(outer) \(n) \(inner)")
        }
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).axisMovedFirst(outer: 2, n: 2, inner: 2))
        XCTAssertThrowsError(try Tensor.zeros([0]).axisMovedFirst(outer: -1, n: 0, inner: 1))
    }
}
