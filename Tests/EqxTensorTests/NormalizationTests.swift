import XCTest
@testable import EqxTensor

/// Naive batch norm in Double over [N, C, S] with batch statistics (biased variance).
func naiveBatchNorm(_ x: [Double], n: Int, c: Int, s: Int, gamma: [Double]?, beta: [Double]?, eps: Double) -> [Double] {
    var y = x
    for ch in 0..<c {
        var vals = [Double]()
        for i in 0..<n { for k in 0..<s { vals.append(x[(i * c + ch) * s + k]) } }
        let mu = vals.reduce(0, +) / Double(vals.count)
        let v = vals.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(vals.count)
        for i in 0..<n { for k in 0..<s {
            let idx = (i * c + ch) * s + k
            y[idx] = (x[idx] - mu) / (v + eps).squareRoot() * (gamma?[ch] ?? 1) + (beta?[ch] ?? 0)
        } }
    }
    return y
}

final class NormalizationTests: XCTestCase {
    func testBatchNorm2dTrainingForwardBackward() throws {
        let shape = [3, 2, 3, 4]
        let x = randomTensor(shape, "bn2/x", scale: 2), g = randomTensor([2], "bn2/g"), b = randomTensor([2], "bn2/b")
        try checkOp("batchNorm2d train", inputs: [x, g, b], op: { v in
            var stats = BatchNormStatistics(channels: 2)
            return try batchNorm(v[0], weight: v[1], bias: v[2], statistics: &stats, training: true)
        }, reference: { d in naiveBatchNorm(d[0], n: 3, c: 2, s: 12, gamma: d[1], beta: d[2], eps: 1e-5) },
           forwardTolerance: 1e-5, gradientTolerance: 2e-4)
    }

    func testBatchNormReLUAgainstReference() throws {
        let shape = [3, 2, 3, 4]
        let x = randomTensor(shape, "bnr/x", scale: 2), g = randomTensor([2], "bnr/g"), b = randomTensor([2], "bnr/b")
        try checkOp("batchNormReLU train", inputs: [x, g, b], op: { v in
            var stats = BatchNormStatistics(channels: 2)
            return try batchNormReLU(v[0], weight: v[1], bias: v[2], statistics: &stats, training: true)
        }, reference: { d in naiveBatchNorm(d[0], n: 3, c: 2, s: 12, gamma: d[1], beta: d[2], eps: 1e-5).map { max($0, 0) } },
           forwardTolerance: 1e-5, gradientTolerance: 2e-4)
    }

    func testBatchNormReLUIsBitIdenticalToTheTwoOps() throws {
        // Same values and gradients, bit for bit, in both modes; the running statistics too.
        for training in [true, false] {
            let x = randomTensor([4, 3, 5, 5], "bnr2/x", scale: 2), seed = randomTensor([4, 3, 5, 5], "bnr2/seed")
            let g = randomTensor([3], "bnr2/g"), b = randomTensor([3], "bnr2/b")
            var results: [[Tensor]] = []
            var statistics: [BatchNormStatistics] = []
            for fused in [false, true] {
                var stats = BatchNormStatistics(channels: 3)
                stats.runningMean = Tensor([0.1, -0.2, 0.3])
                let vx = Variable(x, requiresGrad: true), vg = Variable(g, requiresGrad: true), vb = Variable(b, requiresGrad: true)
                let y = fused
                    ? try batchNormReLU(vx, weight: vg, bias: vb, statistics: &stats, training: training)
                    : relu(try batchNorm(vx, weight: vg, bias: vb, statistics: &stats, training: training))
                try y.backward(seed: seed)
                results.append([y.value, vx.grad!, vg.grad!, vb.grad!])
                statistics.append(stats)
            }
            for (a, b) in zip(results[0], results[1]) { XCTAssertEqual(a, b, "training: \(training)") }
            XCTAssertEqual(statistics[0], statistics[1])
        }
    }

    func testBatchNorm1dTrainingWithoutAffine() throws {
        let x = randomTensor([6, 4], "bn1/x", scale: 2)
        try checkOp("batchNorm1d train", inputs: [x], op: { v in
            var stats = BatchNormStatistics(channels: 4)
            return try batchNorm(v[0], statistics: &stats, training: true)
        }, reference: { d in naiveBatchNorm(d[0], n: 6, c: 4, s: 1, gamma: nil, beta: nil, eps: 1e-5) },
           gradientTolerance: 2e-4)
    }

    func testBatchNormEvalUsesRunningStatistics() throws {
        var stats = BatchNormStatistics(channels: 3)
        stats.runningMean = Tensor([0.5, -1, 2])
        stats.runningVariance = Tensor([2, 0.5, 1.5])
        let frozen = stats
        let x = randomTensor([2, 3, 2, 2], "bne/x"), g = randomTensor([3], "bne/g"), b = randomTensor([3], "bne/b")
        try checkOp("batchNorm eval", inputs: [x, g, b], op: { v in
            var s = frozen
            return try batchNorm(v[0], weight: v[1], bias: v[2], statistics: &s, training: false)
        }, reference: { d in
            var y = d[0]
            for i in 0..<y.count {
                let ch = (i / 4) % 3
                y[i] = (d[0][i] - Double(frozen.runningMean[flat: ch])) / (Double(frozen.runningVariance[flat: ch]) + 1e-5).squareRoot() * d[1][ch] + d[2][ch]
            }
            return y
        })
        var s = frozen
        _ = try batchNorm(Variable(x), statistics: &s, training: false)
        XCTAssertEqual(s, frozen, "eval mode must not touch running statistics")
    }

    func testRunningStatisticsMomentumAndCumulative() throws {
        let x1 = randomTensor([4, 2, 3], "bnr/x1", scale: 3), x2 = randomTensor([4, 2, 3], "bnr/x2", scale: 3)
        func batchStats(_ t: Tensor) -> (mean: [Double], unbiased: [Double]) {
            var means = [Double](), vars = [Double]()
            for ch in 0..<2 {
                var vals = [Double]()
                for i in 0..<4 { for k in 0..<3 { vals.append(Double(t[i, ch, k])) } }
                let mu = vals.reduce(0, +) / 12
                means.append(mu)
                vars.append(vals.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / 11)
            }
            return (means, vars)
        }
        let s1 = batchStats(x1), s2 = batchStats(x2)

        var ema = BatchNormStatistics(channels: 2, momentum: 0.1)
        _ = try batchNorm(Variable(x1), statistics: &ema, training: true)
        _ = try batchNorm(Variable(x2), statistics: &ema, training: true)
        var emaMean = [Double](), emaVar = [Double]()
        for ch in 0..<2 {
            let m1: Double = 0.9 * 0 + 0.1 * s1.mean[ch]
            let v1: Double = 0.9 * 1 + 0.1 * s1.unbiased[ch]
            emaMean.append(0.9 * m1 + 0.1 * s2.mean[ch])
            emaVar.append(0.9 * v1 + 0.1 * s2.unbiased[ch])
        }
        assertClose(doubles(ema.runningMean), emaMean, atol: 1e-6, rtol: 1e-5, "EMA mean")
        assertClose(doubles(ema.runningVariance), emaVar, atol: 1e-6, rtol: 1e-5, "EMA variance")
        XCTAssertEqual(ema.batchesTracked, 2)

        var cumulative = BatchNormStatistics(channels: 2, momentum: nil)
        cumulative.runningMean = Tensor([9, 9])  // overwritten: the first batch has weight 1
        _ = try batchNorm(Variable(x1), statistics: &cumulative, training: true)
        _ = try batchNorm(Variable(x2), statistics: &cumulative, training: true)
        assertClose(doubles(cumulative.runningMean), (0..<2).map { (s1.mean[$0] + s2.mean[$0]) / 2 }, atol: 1e-6, rtol: 1e-5, "cumulative mean")
        assertClose(doubles(cumulative.runningVariance), (0..<2).map { (s1.unbiased[$0] + s2.unbiased[$0]) / 2 }, atol: 1e-6, rtol: 1e-5, "cumulative variance")
        cumulative.reset()
        XCTAssertEqual(cumulative.runningVariance.scalars, [1, 1])
        XCTAssertEqual(cumulative.batchesTracked, 0)
    }

    func testBatchNormStatisticsWithLargeOffset() throws {
        // Mean 1000, standard deviation ~0.6: a naive E[x²] − E[x]² in Float would lose all digits.
        let x = randomTensor([8, 2, 5, 5], "bn/offset").map { 1000 + $0 }
        var stats = BatchNormStatistics(channels: 2, momentum: nil)
        let y = try batchNorm(Variable(x), statistics: &stats, training: true)
        let ref = naiveBatchNorm(doubles(x), n: 8, c: 2, s: 25, gamma: nil, beta: nil, eps: 1e-5)
        assertClose(doubles(y.value), ref, atol: 2e-3, rtol: 0, "normalised values")
        var vars = [Double]()
        for ch in 0..<2 {
            var vals = [Double]()
            for i in 0..<8 { for k in 0..<25 { vals.append(Double(x[flat: (i * 2 + ch) * 25 + k])) } }
            let mu = vals.reduce(0, +) / 200
            vars.append(vals.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / 199)
        }
        assertClose(doubles(stats.runningVariance), vars, atol: 0, rtol: 1e-3, "unbiased variance")
    }

    func testBatchNormErrors() {
        var stats = BatchNormStatistics(channels: 3)
        XCTAssertThrowsError(try batchNorm(Variable(.zeros([2, 4])), statistics: &stats, training: true))
        XCTAssertThrowsError(try batchNorm(Variable(.zeros([1, 3])), statistics: &stats, training: true))
        XCTAssertThrowsError(try batchNorm(Variable(.zeros([2, 3])), weight: Variable(.zeros([2])), statistics: &stats, training: true))
    }

    func testLayerNormTrailingDims() throws {
        let x = randomTensor([3, 2, 4], "ln/x", scale: 2)
        let g = randomTensor([2, 4], "ln/g"), b = randomTensor([2, 4], "ln/b")
        func reference(_ d: [[Double]], affine: Bool, k: Int) -> [Double] {
            var y = d[0]
            let dsz = k == 2 ? 8 : 4
            for r in 0..<(24 / dsz) {
                let row = Array(d[0][(r * dsz)..<(r * dsz + dsz)])
                let mu = row.reduce(0, +) / Double(dsz)
                let v = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(dsz)
                for i in 0..<dsz {
                    let xhat = (row[i] - mu) / (v + 1e-5).squareRoot()
                    y[r * dsz + i] = affine ? xhat * d[1][i] + d[2][i] : xhat
                }
            }
            return y
        }
        try checkOp("layerNorm affine", inputs: [x, g, b], op: { v in
            try layerNorm(v[0], normalizedShape: [2, 4], weight: v[1], bias: v[2])
        }, reference: { reference($0, affine: true, k: 2) }, gradientTolerance: 2e-4)
        try checkOp("layerNorm plain", inputs: [x], op: { v in
            try layerNorm(v[0], normalizedShape: [4])
        }, reference: { reference($0, affine: false, k: 1) }, gradientTolerance: 2e-4)
        XCTAssertThrowsError(try layerNorm(Variable(x), normalizedShape: [3, 4]))
    }
}
