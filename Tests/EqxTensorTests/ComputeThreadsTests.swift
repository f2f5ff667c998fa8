import XCTest
import CBLAS
@testable import EqxTensor

final class ComputeThreadsTests: XCTestCase {
    func testChunksPartitionTheRange() {
        for parts in 1...5 {
            for count in [1, 7, 10, 33] where parts <= count {
                let chunks = (0..<parts).map { chunk($0, of: parts, count: count) }
                XCTAssertEqual(chunks.flatMap { Array($0) }, Array(0..<count))
                XCTAssertLessThanOrEqual(chunks.map(\.count).max()! - chunks.map(\.count).min()!, 1)
            }
        }
    }

    func testOpenBLASStaysSingleThreaded() throws {
        // We partition GEMMs ourselves; OpenBLAS runs single-threaded inside each block.
        let saved = ComputeThreads.count
        defer { ComputeThreads.count = saved }
        ComputeThreads.count = 2
        _ = try Tensor.zeros([4, 4]).matmul(.zeros([4, 4]))
        XCTAssertEqual(openblas_get_num_threads(), 1)
        ComputeThreads.count = 0
        XCTAssertEqual(ComputeThreads.count, 1, "clamped to at least one thread")
    }

    func testParallelForVisitsEveryIndexOnce() {
        var hits = [Int](repeating: 0, count: 100_000)
        hits.withUnsafeMutableBufferPointer { h in
            let base = h.baseAddress!
            parallelFor(100_000) { range in for i in range { base[i] += 1 } }
        }
        XCTAssertTrue(hits.allSatisfy { $0 == 1 })
    }

    func testPartitionedGEMMMatchesNaiveForEverySplit() throws {
        let saved = ComputeThreads.count
        defer { ComputeThreads.count = saved }
        // Shapes that select the row split, the column split, the k split and the serial path.
        for (m, n, k) in [(256, 40, 70), (20, 600, 50), (12, 10, 5000), (7, 9, 11)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = randomTensor(ta ? [k, m] : [m, k], "gemm/a"), b = randomTensor(tb ? [n, k] : [k, n], "gemm/b")
                var expected = [Double](repeating: 0, count: m * n)
                let ad = doubles(a), bd = doubles(b)
                for i in 0..<m { for j in 0..<n { for l in 0..<k {
                    expected[i * n + j] += ad[ta ? l * m + i : i * k + l] * bd[tb ? j * k + l : l * n + j]
                } } }
                for threads in [1, 2, 3] {
                    ComputeThreads.count = threads
                    let c = try a.matmul(b, transposeSelf: ta, transposeOther: tb)
                    assertClose(doubles(c), expected, atol: 1e-4, rtol: 1e-4, "gemm \(m)x\(n)x\(k) ta=\(ta) tb=\(tb) threads=\(threads)")
                }
            }
        }
    }

    func testResultsDoNotDependOnThreadCountForElementwiseOps() throws {
        let saved = ComputeThreads.count
        defer { ComputeThreads.count = saved }
        let x = Variable(randomTensor([8, 16, 10, 10], "threads/x"), requiresGrad: true)
        func run() throws -> [Tensor] {
            var stats = BatchNormStatistics(channels: 16)
            let y = try maxPool2d(relu(batchNorm(x, statistics: &stats, training: true)), kernel: 2)
            return [y.value, stats.runningMean, stats.runningVariance]
        }
        ComputeThreads.count = 1
        let one = try run()
        ComputeThreads.count = 2
        XCTAssertEqual(one, try run())
    }
}
