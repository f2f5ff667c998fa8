import XCTest
@testable import EqxTensor

/// Naive direct convolution in Double: x [N,C,H,W], w [O,C,KH,KW], optional bias.
func naiveConv2d(_ x: [Double], _ xs: [Int], _ w: [Double], _ ws: [Int], _ b: [Double]?,
                 stride: Int, padding: Int, circular: Bool) -> [Double] {
    let (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3])
    let (o, kh, kw) = (ws[0], ws[2], ws[3])
    let oh = (h + 2 * padding - kh) / stride + 1, ow = (wd + 2 * padding - kw) / stride + 1
    var y = [Double](repeating: 0, count: n * o * oh * ow)
    for s in 0..<n { for oc in 0..<o { for i in 0..<oh { for j in 0..<ow {
        var acc = b?[oc] ?? 0
        for ic in 0..<c { for a in 0..<kh { for bb in 0..<kw {
            var r = i * stride - padding + a, q = j * stride - padding + bb
            if circular {
                r = (r % h + h) % h
                q = (q % wd + wd) % wd
            } else if r < 0 || r >= h || q < 0 || q >= wd {
                continue
            }
            acc += x[((s * c + ic) * h + r) * wd + q] * w[((oc * c + ic) * kh + a) * kw + bb]
        } } }
        y[((s * o + oc) * oh + i) * ow + j] = acc
    } } } }
    return y
}

final class Conv2dTests: XCTestCase {
    func check(x xs: [Int], w ws: [Int], bias: Bool, stride: Int, padding: Int, mode: PaddingMode,
               differentiable: [Bool]? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let name = "conv \(xs) \(ws) s\(stride) p\(padding) \(mode)\(bias ? " bias" : "")"
        let x = randomTensor(xs, name + "x"), w = randomTensor(ws, name + "w", scale: 0.5)
        let b = randomTensor([ws[0]], name + "b")
        let saved = (perThreadMinimumPlane, thinConvolutionMaximumTaps)
        defer { (perThreadMinimumPlane, thinConvolutionMaximumTaps) = saved }
        // Every code path: all images in one GEMM, one GEMM per image spread over threads, and the
        // direct few-tap kernels (where they apply).
        for (minimumPlane, taps) in [(Int.max, 0), (1, 0), (1, 64)] {
        (perThreadMinimumPlane, thinConvolutionMaximumTaps) = (minimumPlane, taps)
        let path = taps > 0 ? " direct" : minimumPlane == 1 ? " per-thread" : " batched"
        try checkOp(name + path, inputs: bias ? [x, w, b] : [x, w], differentiable: differentiable, op: { v in
            try conv2d(v[0], weight: v[1], bias: bias ? v[2] : nil, stride: stride, padding: padding, paddingMode: mode)
        }, reference: { d in
            naiveConv2d(d[0], xs, d[1], ws, bias ? d[2] : nil, stride: stride, padding: padding, circular: mode == .circular)
        }, file: file, line: line)
        }
    }

    func testZeroPaddingStridesAndPads() throws {
        for stride in [1, 2] {
            for padding in [0, 1, 2] {
                try check(x: [2, 3, 5, 7], w: [4, 3, 3, 3], bias: padding != 1, stride: stride, padding: padding, mode: .zeros)
            }
        }
    }

    func testCircularPadding() throws {
        for stride in [1, 2] {
            for padding in [1, 2] {
                try check(x: [2, 2, 5, 6], w: [3, 2, 3, 3], bias: true, stride: stride, padding: padding, mode: .circular)
            }
        }
        // Padding equal to the image size wraps more than once per row.
        try check(x: [1, 2, 2, 3], w: [2, 2, 3, 3], bias: false, stride: 1, padding: 2, mode: .circular)
    }

    func testNonSquareKernelAndOneByOne() throws {
        try check(x: [3, 2, 6, 4], w: [5, 2, 2, 3], bias: true, stride: 1, padding: 1, mode: .zeros)
        try check(x: [2, 4, 3, 3], w: [3, 4, 1, 1], bias: true, stride: 1, padding: 0, mode: .zeros)
        try check(x: [2, 3, 7, 5], w: [2, 3, 5, 5], bias: false, stride: 2, padding: 2, mode: .circular)
    }

    func testGradientsOnlyWhereRequested() throws {
        // Input without gradient (first layer) and frozen weights.
        try check(x: [2, 3, 5, 5], w: [4, 3, 3, 3], bias: true, stride: 1, padding: 1, mode: .zeros, differentiable: [false, true, true])
        try check(x: [2, 3, 5, 5], w: [4, 3, 3, 3], bias: true, stride: 2, padding: 1, mode: .zeros, differentiable: [true, false, false])
    }

    func testBatchChunkingMatchesSingleChunk() throws {
        // A tiny im2col budget forces one sample per chunk and recomputed columns in backward.
        let saved = im2colBudget
        defer { im2colBudget = saved }
        im2colBudget = 1
        try check(x: [3, 2, 5, 6], w: [3, 2, 3, 3], bias: true, stride: 1, padding: 1, mode: .circular)
        try check(x: [3, 2, 5, 6], w: [3, 2, 3, 3], bias: false, stride: 2, padding: 0, mode: .zeros)
    }

    func testPerThreadChunkSizesMatchTheReference() throws {
        // One image per GEMM (the output written in place), and several images per GEMM (through the
        // product buffer), with uneven thread shares.
        let saved = (threadChunkBudget, threadChunkMinimumColumns)
        defer { (threadChunkBudget, threadChunkMinimumColumns) = saved }
        for (budget, columns) in [(1, 1), (1, 40), (1 << 20, 1)] {
            (threadChunkBudget, threadChunkMinimumColumns) = (budget, columns)
            try check(x: [5, 2, 5, 6], w: [3, 2, 3, 3], bias: true, stride: 1, padding: 1, mode: .zeros)
            try check(x: [5, 2, 6, 5], w: [3, 2, 3, 3], bias: false, stride: 2, padding: 1, mode: .circular)
            // Rows of 8+ pixels take the contiguous-run copies rather than the offset table.
            try check(x: [3, 2, 4, 11], w: [2, 2, 3, 3], bias: true, stride: 1, padding: 1, mode: .circular)
            try check(x: [3, 2, 4, 12], w: [2, 2, 3, 5], bias: false, stride: 1, padding: 2, mode: .zeros)
        }
    }

    func testEmptyBatch() throws {
        let y = try conv2d(Variable(.zeros([0, 2, 4, 4]), requiresGrad: true), weight: Variable(.zeros([3, 2, 3, 3]), requiresGrad: true))
        XCTAssertEqual(y.shape, [0, 3, 2, 2])
    }

    func testLargerImagesBothPathsAgree() throws {
        // Planes above the per-sample threshold, several threads, stride-1 fast im2col paths.
        let x = Variable(randomTensor([5, 3, 17, 15], "big/x"), requiresGrad: true)
        let w = Variable(randomTensor([4, 3, 3, 3], "big/w"), requiresGrad: true)
        let saved = perThreadMinimumPlane
        defer { perThreadMinimumPlane = saved }
        var results = [[Tensor]]()
        for mode in [PaddingMode.zeros, .circular] {
            for minimumPlane in [Int.max, 1] {
                perThreadMinimumPlane = minimumPlane
                let xv = Variable(x.value, requiresGrad: true), wv = Variable(w.value, requiresGrad: true)
                let y = try conv2d(xv, weight: wv, padding: 1, paddingMode: mode)
                try y.backward(seed: randomTensor(y.shape, "big/seed"))
                results.append([y.value, xv.grad!, wv.grad!])
            }
            let ref = naiveConv2d(doubles(x.value), x.shape, doubles(w.value), w.shape, nil, stride: 1, padding: 1, circular: mode == .circular)
            for r in results.suffix(2) {
                assertClose(doubles(r[0]), ref, atol: 1e-5, rtol: 1e-5, "\(mode) forward")
            }
            let (a, b) = (results[results.count - 2], results[results.count - 1])
            assertClose(doubles(a[1]), doubles(b[1]), atol: 1e-5, rtol: 1e-5, "\(mode) dx paths")
            assertClose(doubles(a[2]), doubles(b[2]), atol: 1e-4, rtol: 1e-5, "\(mode) dw paths")
        }
    }

    func testShapeErrorsNameBothShapes() {
        let x = Variable(.zeros([2, 3, 5, 5])), w = Variable(.zeros([4, 2, 3, 3]), requiresGrad: true, label: "conv1")
        XCTAssertThrowsError(try conv2d(x, weight: w)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("conv1") && text.contains("[2, 3, 5, 5]"), text)
        }
        let w3 = Variable(.zeros([4, 3, 3, 3]))
        XCTAssertThrowsError(try conv2d(x, weight: w3, bias: Variable(.zeros([5]))))
        XCTAssertThrowsError(try conv2d(x, weight: w3, stride: 0))
        XCTAssertThrowsError(try conv2d(Variable(.zeros([1, 3, 2, 2])), weight: w3))
        XCTAssertThrowsError(try conv2d(Variable(.zeros([1, 3, 2, 2])), weight: w3, padding: 3, paddingMode: .circular))
    }

    func testSameThreadCountIsBitIdentical() throws {
        let x = Variable(randomTensor([4, 8, 12, 12], "det/x"), requiresGrad: true)
        let w = Variable(randomTensor([8, 8, 3, 3], "det/w"), requiresGrad: true)
        func run() throws -> (Tensor, Tensor, Tensor) {
            let xv = Variable(x.value, requiresGrad: true), wv = Variable(w.value, requiresGrad: true)
            let y = try conv2d(xv, weight: wv, padding: 1)
            try sum(square(y)).backward()
            return (y.value, xv.grad!, wv.grad!)
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a.0, b.0)
        XCTAssertEqual(a.1, b.1)
        XCTAssertEqual(a.2, b.2)
    }
}
