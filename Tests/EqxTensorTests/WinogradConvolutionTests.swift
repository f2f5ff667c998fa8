import CEqxKernels
import Foundation
import XCTest
@testable import EqxTensor

/// Winograd F(2×2, 3×3) (CEqxKernels/Winograd.c) against the naive Double reference and finite
/// differences, against the im2col + GEMM path, and across kernel paths and thread counts.
final class WinogradConvolutionTests: XCTestCase {
    /// Even and odd output sizes (a last tile half outside the output), every padding the path takes, 1 and
    /// several images, output channels of one and two 16-wide blocks. The input gradient goes through
    /// and weight gradients go through Winograd too when the input channels are a multiple of 16 (else
    /// through im2col + GEMM).
    let shapes: [(x: [Int], w: [Int], padding: Int)] = [
        ([2, 16, 7, 5], [16, 16, 3, 3], 1), ([1, 16, 6, 6], [16, 16, 3, 3], 0), ([1, 16, 3, 4], [16, 16, 3, 3], 2),
        ([3, 8, 5, 4], [32, 8, 3, 3], 2), ([2, 8, 4, 5], [16, 8, 3, 3], 1),
    ]

    override func tearDown() {
        winogradConvolutionEnabled = true
        unsetenv("EQX_KERNELS")
        KernelPath.select()
    }

    func geometry(_ xs: [Int], _ padding: Int) throws -> WindowGeometry {
        try WindowGeometry(op: "winograd test", input: xs, kernel: (3, 3), stride: 1, padding: padding, mode: .zeros)
    }

    func checkAgainstTheReference(shapes: ArraySlice<(x: [Int], w: [Int], padding: Int)>, biases: [Bool] = [false, true],
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        for (xs, ws, padding) in shapes {
            let name = "winograd \(xs) \(ws) p\(padding) \(KernelPath.current)"
            let g = try geometry(xs, padding)
            XCTAssertTrue(WinogradConvolution.applies(g, outputChannels: ws[0]), name, file: file, line: line)
            XCTAssertEqual(WinogradConvolution.inputGradient(of: g, outputChannels: ws[0]) != nil, xs[1] % 16 == 0, name, file: file, line: line)
            for bias in biases {
                let x = randomTensor(xs, name + "x"), w = randomTensor(ws, name + "w", scale: 0.5), b = randomTensor([ws[0]], name + "b")
                try checkOp(name + (bias ? " bias" : ""), inputs: bias ? [x, w, b] : [x, w], op: { v in
                    try conv2d(v[0], weight: v[1], bias: bias ? v[2] : nil, padding: padding)
                }, reference: { d in
                    naiveConv2d(d[0], xs, d[1], ws, bias ? d[2] : nil, stride: 1, padding: padding, circular: false)
                }, file: file, line: line)
            }
        }
    }

    func testForwardAndGradientsMatchTheReferenceAndFiniteDifferences() throws {
        try checkAgainstTheReference(shapes: shapes[...])
    }

    func testForcedPortablePathMatchesTheReference() throws {
        setenv("EQX_KERNELS", "portable", 1)
        XCTAssertEqual(KernelPath.select(), .portable)
        try checkAgainstTheReference(shapes: shapes[1...3], biases: [true])
    }

    func testOnlyStrideOne3x3ZeroPaddedLayersWithChannelBlocksTakeThePath() throws {
        let g = try geometry([2, 16, 8, 8], 1)
        XCTAssertTrue(WinogradConvolution.applies(g, outputChannels: 32))
        XCTAssertFalse(WinogradConvolution.applies(g, outputChannels: 24), "output channels not a multiple of 16")
        XCTAssertFalse(WinogradConvolution.applies(try geometry([2, 12, 8, 8], 1), outputChannels: 16), "input channels not a multiple of 8")
        XCTAssertFalse(WinogradConvolution.applies(try geometry([2, 1, 8, 8], 1), outputChannels: 16), "the first layer")
        XCTAssertFalse(WinogradConvolution.applies(try geometry([2, 16, 8, 8], 3), outputChannels: 16), "padding 3")
        let strided = try WindowGeometry(op: "t", input: [2, 16, 8, 8], kernel: (3, 3), stride: 2, padding: 1, mode: .zeros)
        let circular = try WindowGeometry(op: "t", input: [2, 16, 8, 8], kernel: (3, 3), stride: 1, padding: 1, mode: .circular)
        let fiveByFive = try WindowGeometry(op: "t", input: [2, 16, 8, 8], kernel: (5, 5), stride: 1, padding: 2, mode: .zeros)
        for other in [strided, circular, fiveByFive] { XCTAssertFalse(WinogradConvolution.applies(other, outputChannels: 16)) }
        XCTAssertTrue(WinogradConvolution(g: g, o: 32).takesWeightGradient)
        XCTAssertFalse(WinogradConvolution(g: try geometry([2, 8, 8, 8], 1), o: 32).takesWeightGradient, "8 input channels")
        // The input gradient of a 16 → 24 layer is a 24 → 16 convolution: it needs 8 | 24 and 16 | 16.
        XCTAssertNotNil(WinogradConvolution.inputGradient(of: g, outputChannels: 24))
        XCTAssertNil(WinogradConvolution.inputGradient(of: try geometry([2, 8, 8, 8], 1), outputChannels: 12))
        winogradConvolutionEnabled = false
        XCTAssertFalse(WinogradConvolution.applies(g, outputChannels: 32))
    }

    /// A Fashion-MNIST-sized layer: the error of Winograd and of the direct sum (im2col + GEMM), both in
    /// Float32, against the exact result in Double, relative to the largest |y|. Measured: 2.8e-7 for Winograd
    /// and 6.3e-7 for the direct sum (its GEMM sums 288 products per output in one accumulation; Winograd sums
    /// 32 per transform point, then 9 products in the output transform).
    func testAccuracyAgainstTheDirectSum() throws {
        let xs = [4, 32, 14, 14], ws = [32, 32, 3, 3]
        let x = randomTensor(xs, "winograd/accuracy/x"), w = randomTensor(ws, "winograd/accuracy/w", scale: 0.1)
        let exact = naiveConv2d(doubles(x), xs, doubles(w), ws, nil, stride: 1, padding: 1, circular: false)
        func error(_ winograd: Bool) throws -> Double {
            winogradConvolutionEnabled = winograd
            let y = doubles(try conv2d(Variable(x), weight: Variable(w), padding: 1).value)
            return zip(y, exact).map { abs($0 - $1) }.max()! / exact.map(abs).max()!
        }
        let direct = try error(false), fast = try error(true)
        XCTAssertLessThan(direct, 1e-6)
        XCTAssertLessThan(fast, 1e-6, "Winograd's relative error (direct: \(direct))")
        XCTAssertLessThan(fast, 2 * direct, "Winograd \(fast) vs direct \(direct)")
    }

    /// Forward pass and both gradients against the im2col + GEMM path on a layer of several blocks, with the
    /// following batch norm and ReLU fused in inference.
    func testAgreesWithTheGEMMPathInTrainingAndFusedInference() throws {
        let xs = [5, 16, 12, 12], ws = [32, 16, 3, 3]
        let x = randomTensor(xs, "winograd/gemm/x"), w = randomTensor(ws, "winograd/gemm/w", scale: 0.2)
        let b = randomTensor([32], "winograd/gemm/b"), seed = randomTensor([5, 32, 12, 12], "winograd/gemm/seed")
        let scale: [Float] = (0..<32).map { Float($0) / 32 + 0.5 }
        let shift: [Float] = (0..<32).map { Float($0) / 64 - 0.25 }
        let epilogue = try ChannelEpilogue(scale: scale, shift: shift, relu: true)
        func run(_ winograd: Bool) throws -> [[Double]] {
            winogradConvolutionEnabled = winograd
            let xv = Variable(x, requiresGrad: true), wv = Variable(w, requiresGrad: true), bv = Variable(b, requiresGrad: true)
            let y = try conv2d(xv, weight: wv, bias: bv, padding: 1)
            try y.backward(seed: seed)
            let fused = try Gradients.disabled { try conv2d(Variable(x), weight: Variable(w), bias: Variable(b), padding: 1, epilogue: epilogue) }
            return [y.value, xv.grad!, wv.grad!, bv.grad!, fused.value].map(doubles)
        }
        let gemm = try run(false), fast = try run(true)
        for (i, what) in ["output", "dx", "dw", "db", "fused output"].enumerated() {
            // dw sums 5 images × 36 tiles × 16 transform points per weight.
            let tolerance = what == "dw" ? 1e-4 : 2e-5
            assertClose(fast[i], gemm[i], atol: tolerance, rtol: tolerance, what)
        }
        // db sums dy per image in the same order on both paths.
        XCTAssertEqual(fast[3], gemm[3])
    }

    /// Each image's tiles are transformed, multiplied and mapped back on their own, in the same order for any
    /// split of the batch, so the thread count does not change a bit of the output or dx (dw, a sum over the
    /// batch, is summed per thread and then in thread order, as on the GEMM path).
    func testResultsDoNotDependOnTheThreadCount() throws {
        let saved = ComputeThreads.count
        defer { ComputeThreads.count = saved }
        func run(_ threads: Int) throws -> [[Float]] {
            ComputeThreads.count = threads
            let x = Variable(randomTensor([7, 16, 10, 10], "winograd/threads/x"), requiresGrad: true)
            let w = Variable(randomTensor([16, 16, 3, 3], "winograd/threads/w"), requiresGrad: true)
            let y = try conv2d(x, weight: w, padding: 1)
            try y.backward(seed: randomTensor(y.shape, "winograd/threads/seed"))
            return [y.value.scalars, x.grad!.scalars]
        }
        XCTAssertEqual(try run(1), try run(2))
    }

    /// The transforms only add and subtract (and halve), so the two kernel paths give the same bits; the
    /// products differ only by fused multiply-adds.
    func testTransformsAreBitIdenticalOnBothPathsAndProductsAgreeToRounding() throws {
        let (c, o, h, w, pad) = (16, 32, 9, 11, 1)
        let tiles = ((h + 2 * pad - 1) / 2) * ((w + 2 * pad - 1) / 2)
        let x = randomTensor([c, h, w], "winograd/paths/x").scalars, weight = randomTensor([o, c, 3, 3], "winograd/paths/w").scalars
        let bias = randomTensor([o], "winograd/paths/b").scalars, dy = randomTensor([o, h, w], "winograd/paths/dy").scalars
        func run() -> [[Float]] {
            var u = [Float](repeating: 0, count: 16 * c * o), v = [Float](repeating: 0, count: 16 * tiles * c)
            var m = [Float](repeating: 0, count: 16 * tiles * o), y = [Float](repeating: 0, count: o * h * w)
            var scratch = [Float](repeating: 0, count: eqx_winograd_scratch_size(Int32(c), Int32(o), Int32(h), Int32(w), Int32(pad)))
            eqx_winograd_weights(weight, Int32(o), Int32(c), &u)
            eqx_winograd_input(x, Int32(c), Int32(h), Int32(w), Int32(pad), &v, tiles * c, &scratch)
            eqx_winograd_multiply(v, u, &m, Int32(tiles), Int32(c), Int32(o), tiles * c, tiles * o)
            let products = m
            m = (0..<m.count).map { Float($0 % 97) / 7 - 6 }  // the output transform on fixed products
            eqx_winograd_output(m, tiles * o, Int32(o), Int32(h), Int32(w), bias, &y, &scratch)
            // The weight gradient's side: dy's transform, the products over the tiles, and Gᵀ du G.
            var gy = [Float](repeating: 0, count: 16 * tiles * o), du = [Float](repeating: 0, count: 16 * o * c)
            var dw = [Float](repeating: 0, count: o * c * 9)
            eqx_winograd_output_gradient(dy, Int32(o), Int32(h), Int32(w), &gy, tiles * o, &scratch)
            eqx_winograd_weight_products(gy, v, &du, Int32(tiles), Int32(c), Int32(o), tiles * o, tiles * c)
            let transformed = du
            du = (0..<du.count).map { Float($0 % 89) / 5 - 8 }  // Gᵀ du G on a fixed du
            eqx_winograd_weight_gradient(du, Int32(o), Int32(c), &dw)
            return [u, v, y, gy, dw, products, transformed]
        }
        unsetenv("EQX_KERNELS")
        let native = KernelPath.select()
        let a = run()
        setenv("EQX_KERNELS", "portable", 1)
        XCTAssertEqual(KernelPath.select(), .portable)
        let b = run()
        for (i, what) in ["weights", "input tiles", "output", "dy tiles", "weight gradient"].enumerated() {
            XCTAssertEqual(a[i], b[i], "\(native) vs portable \(what)")
        }
        assertClose(a[5].map(Double.init), b[5].map(Double.init), atol: 1e-5, rtol: 1e-5, "\(native) vs portable products")
        assertClose(a[6].map(Double.init), b[6].map(Double.init), atol: 1e-4, rtol: 1e-5, "\(native) vs portable weight products")
    }
}
