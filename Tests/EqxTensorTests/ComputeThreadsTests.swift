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

    func testSettingCountSetsOpenBLAS() {
        let saved = ComputeThreads.count
        defer { ComputeThreads.count = saved }
        ComputeThreads.count = 1
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
