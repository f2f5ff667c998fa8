import XCTest
@testable import EqxTensor

/// A random float64 test tensor: the float32 one of the same name, widened, plus a float64-only part
/// below float32's resolution, so a kernel that rounds through Float32 anywhere fails the checks.
func randomTensor64(_ shape: [Int], _ name: String, scale: Double = 1) -> Tensor64 {
    let coarse = randomTensor(shape, name, scale: Float(scale)).converted(to: Double.self)
    let fine = randomTensor(shape, name + "/fine", scale: 1)
    return try! Tensor64(shape: shape, scalars: zip(coarse.scalars, fine.scalars).map { $0 + scale * 1e-9 * Double($1) })
}

/// `checkOp` in float64: the forward value against the naive Double reference to 1e-12, and the backward
/// pass against central finite differences with a step of 1e-5 to 1e-8 relative. Float32 anywhere in the
/// kernel (rounding ≈ 6e-8) fails both.
func checkOp64(
    _ name: String, inputs: [Tensor64], differentiable: [Bool]? = nil,
    op: ([Variable64]) throws -> Variable64, reference: ([[Double]]) -> [Double],
    forwardTolerance: Double = 1e-12, gradientTolerance: Double = 1e-8, h: Double = 1e-5,
    file: StaticString = #filePath, line: UInt = #line
) throws {
    let flags = differentiable ?? Array(repeating: true, count: inputs.count)
    let vars = zip(inputs, flags).map { Variable64($0, requiresGrad: $1) }
    let y = try op(vars)
    let x64 = inputs.map(\.scalars)
    assertClose(y.value.scalars, reference(x64), atol: forwardTolerance, rtol: forwardTolerance, "\(name) forward",
                file: file, line: line)
    let r = randomTensor64(y.shape, name + "/cotangent")
    try y.backward(seed: r)
    func phi(_ xs: [[Double]]) -> Double { zip(reference(xs), r.scalars).reduce(0) { $0 + $1.0 * $1.1 } }
    for (i, v) in vars.enumerated() where flags[i] {
        guard let g = v.grad else { XCTFail("\(name): no gradient for input \(i)", file: file, line: line); continue }
        let numeric = centralDifferences(of: phi, at: x64, input: i, h: h)
        let scale = max(1, numeric.map(abs).max() ?? 1)
        assertClose(g.scalars, numeric, atol: gradientTolerance * scale, rtol: gradientTolerance,
                    "\(name) gradient of input \(i)", file: file, line: line)
    }
}

/// Every Float64 kernel against naive Double loops and finite differences (the float32 tests' references).
final class Float64KernelTests: XCTestCase {
    func testMatmulEveryPartitionAgainstNaive() throws {
        // Shapes that take each GEMM plan: serial, row blocks, column blocks, split inner dimension.
        for (m, k, n) in [(3, 4, 5), (300, 40, 30), (20, 40, 400), (8, 4100, 8)] {
            let a = randomTensor64([m, k], "mm a \(m)"), b = randomTensor64([k, n], "mm b \(m)")
            let c = try a.matmul(b)
            var naive = [Double](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n { for p in 0..<k { naive[i * n + j] += a.scalars[i * k + p] * b.scalars[p * n + j] } } }
            assertClose(c.scalars, naive, atol: 1e-12, rtol: 1e-12, "matmul \(m)×\(k)×\(n)")
            let ct = try b.matmul(a, transposeSelf: true, transposeOther: true)   // (AB)ᵀ = BᵀAᵀ
            for i in 0..<m { for j in 0..<n { XCTAssertEqual(ct[j, i], naive[i * n + j], accuracy: 1e-12) } }
        }
    }

    func testLinear() throws {
        let x = randomTensor64([4, 5], "lin x"), w = randomTensor64([3, 5], "lin w"), b = randomTensor64([3], "lin b")
        try checkOp64("linear", inputs: [x, w, b], op: { try linear($0[0], weight: $0[1], bias: $0[2]) }, reference: { d in
            (0..<12).map { idx in
                let r = idx / 3, o = idx % 3
                return (0..<5).reduce(d[2][o]) { $0 + d[0][r * 5 + $1] * d[1][o * 5 + $1] }
            }
        })
    }

    func testConvEveryPathAndPadding() throws {
        let saved = perThreadMinimumPlane
        defer { perThreadMinimumPlane = saved }
        for minimumPlane in [Int.max, 1] {
            perThreadMinimumPlane = minimumPlane
            for (stride, padding, mode) in [(1, 1, PaddingMode.zeros), (2, 0, .zeros), (1, 1, .circular), (2, 2, .circular)] {
                let name = "conv64 s\(stride) p\(padding) \(mode) \(minimumPlane)"
                let xs = [2, 3, 5, 6], ws = [4, 3, 3, 3]
                let x = randomTensor64(xs, name + "x"), w = randomTensor64(ws, name + "w", scale: 0.5), b = randomTensor64([4], name + "b")
                try checkOp64(name, inputs: [x, w, b], op: {
                    try conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding, paddingMode: mode)
                }, reference: { d in
                    naiveConv2d(d[0], xs, d[1], ws, d[2], stride: stride, padding: padding, circular: mode == .circular)
                })
            }
        }
    }

    func testThinConvolutionSettingLeavesFloat64OnTheGEMMPath() throws {
        let saved = thinConvolutionMaximumTaps
        defer { thinConvolutionMaximumTaps = saved }
        thinConvolutionMaximumTaps = 64
        let xs = [2, 1, 6, 6], ws = [3, 1, 3, 3]
        let x = randomTensor64(xs, "thin x"), w = randomTensor64(ws, "thin w")
        try checkOp64("thin-eligible conv64", inputs: [x, w], op: { try conv2d($0[0], weight: $0[1], padding: 1) },
                      reference: { d in naiveConv2d(d[0], xs, d[1], ws, nil, stride: 1, padding: 1, circular: false) })
    }

    func testOrbitTiedConvolution() throws {
        let orbits = try TapOrbits.rotations(3)
        let x = randomTensor64([2, 2, 5, 5], "tied x"), w = randomTensor64([3, 2, orbits.count], "tied w"), b = randomTensor64([3], "tied b")
        try checkOp64("orbit-tied conv64", inputs: [x, w, b], op: {
            try orbitTiedConv2d($0[0], weight: $0[1], orbits: orbits, bias: $0[2], padding: 1)
        }, reference: { d in
            let full = try! orbits.expand(Tensor64(shape: [3, 2, orbits.count], scalars: d[1])).scalars
            return naiveConv2d(d[0], [2, 2, 5, 5], full, [3, 2, 3, 3], d[2], stride: 1, padding: 1, circular: false)
        })
    }

    func testBatchNormAndFusedReLUInTraining() throws {
        let x = randomTensor64([3, 2, 4, 4], "bn x"), gamma = randomTensor64([2], "bn g"), beta = randomTensor64([2], "bn b")
        for fused in [false, true] {
            try checkOp64("batchNorm64\(fused ? " + relu" : "")", inputs: [x, gamma, beta], op: { v in
                var stats = BatchNormStatisticsOf<Double>(channels: 2)
                return fused ? try batchNormReLU(v[0], weight: v[1], bias: v[2], statistics: &stats, training: true)
                    : try batchNorm(v[0], weight: v[1], bias: v[2], statistics: &stats, training: true)
            }, reference: { d in
                let y = naiveBatchNorm(d[0], n: 3, c: 2, s: 16, gamma: d[1], beta: d[2], eps: 1e-5)
                return fused ? y.map { max($0, 0) } : y
            })
        }
    }

    func testPooling() throws {
        let x = randomTensor64([2, 2, 6, 6], "pool x"), s = [2, 2, 6, 6]
        try checkOp64("maxPool64", inputs: [x], op: { try maxPool2d($0[0], kernel: 2) },
                      reference: { naivePool($0[0], s, kernel: 2, stride: 2, max: true) })
        try checkOp64("avgPool64", inputs: [x], op: { try avgPool2d($0[0], kernel: 3, stride: 3) },
                      reference: { naivePool($0[0], s, kernel: 3, stride: 3, max: false) })
        try checkOp64("globalAvgPool64", inputs: [x], op: { try globalAvgPool($0[0]) }, reference: { d in
            (0..<4).map { p in (0..<36).reduce(0) { $0 + d[0][p * 36 + $1] } / 36 }
        })
    }

    func testActivations() throws {
        let x = randomTensor64([3, 7], "act x", scale: 3)
        try checkOp64("relu64", inputs: [x], op: { relu($0[0]) }, reference: { $0[0].map { max($0, 0) } })
        try checkOp64("tanh64", inputs: [x], op: { tanh($0[0]) }, reference: { $0[0].map { Foundation.tanh($0) } })
        try checkOp64("sigmoid64", inputs: [x], op: { sigmoid($0[0]) }, reference: { $0[0].map { 1 / (1 + Foundation.exp(-$0)) } })
        try checkOp64("square64", inputs: [x], op: { square($0[0]) }, reference: { $0[0].map { $0 * $0 } })
    }

    func testLosses() throws {
        let logits = randomTensor64([4, 3], "ce z", scale: 2), labels = [2, 0, 1, 1]
        try checkOp64("crossEntropy64", inputs: [logits], op: { try crossEntropy($0[0], labels: labels) }, reference: { d in
            [(0..<4).reduce(0.0) { total, r in
                let row = d[0][(r * 3)..<(r * 3 + 3)]
                return total + Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +)) - d[0][r * 3 + labels[r]]
            } / 4]
        })
        try checkOp64("mse64", inputs: [logits], op: { try mseLoss($0[0], labels: labels) }, reference: { d in
            [(0..<12).reduce(0.0) { s, i in let t = labels[i / 3] == i % 3 ? 1.0 : 0; return s + (d[0][i] - t) * (d[0][i] - t) } / 12]
        })
    }

    func testLayerNorm() throws {
        let x = randomTensor64([3, 2, 4], "ln x"), w = randomTensor64([2, 4], "ln w"), b = randomTensor64([2, 4], "ln b")
        try checkOp64("layerNorm64", inputs: [x, w, b], op: { try layerNorm($0[0], normalizedShape: [2, 4], weight: $0[1], bias: $0[2]) },
                      reference: { d in
            (0..<24).map { i in
                let r = i / 8, row = d[0][(r * 8)..<(r * 8 + 8)]
                let mu = row.reduce(0, +) / 8, v = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / 8
                return (d[0][i] - mu) / (v + 1e-5).squareRoot() * d[1][i % 8] + d[2][i % 8]
            }
        })
    }

    func testOptimizersAgainstTheirFormulas() throws {
        let p0 = randomTensor64([5], "opt p"), g = randomTensor64([5], "opt g")
        var sgd = try SGDOf<Double>(momentum: 0.9, weightDecay: 0.1)
        var adam = try AdamOf<Double>(weightDecay: 0.1)
        var ps = [p0], pa = [p0]
        var buffer = [Double](repeating: 0, count: 5), m = buffer, v = buffer, expectS = p0.scalars, expectA = p0.scalars
        for t in 1...3 {
            try sgd.step(parameters: &ps, gradients: [g], learningRate: 0.01)
            try adam.step(parameters: &pa, gradients: [g], learningRate: 0.01)
            for j in 0..<5 {
                let ds = g.scalars[j] + 0.1 * expectS[j]
                buffer[j] = t == 1 ? ds : 0.9 * buffer[j] + ds
                expectS[j] -= 0.01 * buffer[j]
                let da = g.scalars[j] + 0.1 * expectA[j]
                m[j] = 0.9 * m[j] + 0.1 * da
                v[j] = 0.999 * v[j] + 0.001 * da * da
                let mHat = m[j] / (1 - Foundation.pow(0.9, Double(t))), vHat = v[j] / (1 - Foundation.pow(0.999, Double(t)))
                expectA[j] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        assertClose(ps[0].scalars, expectS, atol: 1e-15, rtol: 1e-13, "SGD64")
        assertClose(pa[0].scalars, expectA, atol: 1e-15, rtol: 1e-12, "Adam64")
    }

    func testReductionsAndArithmeticStayInDouble() throws {
        // 1 + 1e-12 is 1 in float32: a Float32 round trip anywhere would lose the difference.
        let a = try Tensor64(shape: [3000], scalars: (0..<3000).map { 1 + Double($0) * 1e-12 })
        XCTAssertEqual(a.sum, (0..<3000).reduce(0.0) { $0 + 1 + Double($1) * 1e-12 }, accuracy: 1e-9)
        var b = a
        try b.add(a, scaledBy: -1)
        XCTAssertEqual(b.maxAbs, 0)
        var c = Tensor64.zeros([5000])
        try c.add(Tensor64.filled([5000], with: 1e-12), scaledBy: 3)    // the BLAS daxpy path (≥ 4096)
        XCTAssertEqual(c[flat: 4999], 3e-12, accuracy: 1e-27)
        XCTAssertEqual(Tensor(scalar: 0.1).converted(to: Double.self).scalars[0], Double(Float(0.1)))
        XCTAssertEqual(Tensor64(scalar: 0.1).converted(to: Float.self).scalars[0], Float(0.1))
    }
}
