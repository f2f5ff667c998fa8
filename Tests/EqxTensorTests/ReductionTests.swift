import XCTest
@testable import EqxTensor

final class ReductionTests: XCTestCase {
    func testBlockReductionsMatchDoubleLoops() {
        for count in [0, 1, 7, 8, 9, 15, 16, 17, 24, 511, 512, 513, 1000, 4099] {
            let x = randomTensor([max(count, 1)], "red/x\(count)", scale: 3), y = randomTensor([max(count, 1)], "red/y\(count)")
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    let a = xp.baseAddress!, b = yp.baseAddress!
                    var sum = 0.0, sq = 0.0, dot = 0.0
                    for i in 0..<count {
                        sum += Double(a[i])
                        sq += (Double(a[i]) - 0.25) * (Double(a[i]) - 0.25)
                        dot += Double(a[i]) * (Double(b[i]) + 0.5)
                    }
                    let tol = 1e-6 * Double(max(count, 1))
                    XCTAssertEqual(blockSum(a, count), sum, accuracy: tol, "sum of \(count)")
                    XCTAssertEqual(blockSumOfSquares(a, count, shift: 0.25), sq, accuracy: tol, "squares of \(count)")
                    XCTAssertEqual(blockDot(a, b, count, shift: -0.5), dot, accuracy: tol, "dot of \(count)")
                    let (s2, d2) = blockSumAndDot(a, b, count, shift: -0.5)
                    XCTAssertEqual(s2, sum, accuracy: tol, "fused sum of \(count)")
                    XCTAssertEqual(d2, dot, accuracy: tol, "fused dot of \(count)")
                    let (m1, m2) = blockShiftedMoments(a, count, shift: 0.25)
                    XCTAssertEqual(m1, sum - 0.25 * Double(count), accuracy: tol, "shifted sum of \(count)")
                    XCTAssertEqual(m2, sq, accuracy: tol, "shifted squares of \(count)")
                }
            }
        }
    }

    func testScratchBuffersAreRecycled() {
        var first: UnsafeMutablePointer<Float>?
        do {
            let b = ScratchBuffer.take(3_000_001)
            first = b.pointer
            XCTAssertGreaterThanOrEqual(b.capacity, 3_000_001)
        }
        let again = ScratchBuffer.take(2_900_000)
        XCTAssertEqual(again.pointer, first, "a freed buffer of a fitting size is reused")
        let other = ScratchBuffer.take(2_900_000)
        XCTAssertNotEqual(other.pointer, again.pointer, "a buffer in use is never handed out twice")
    }
}
