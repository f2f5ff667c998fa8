import Foundation
import XCTest
@testable import EqxTensor

/// The direct few-tap kernels (CEqxKernels) against the naive reference and finite differences, on both
/// the AVX2 and the forced portable path.
final class ThinConvolutionTests: XCTestCase {
    /// Rows of 29 pixels take the 16-wide, 8-wide and scalar tails of the AVX2 kernels.
    let shapes: [(x: [Int], w: [Int], padding: Int)] = [
        ([3, 1, 9, 29], [5, 1, 3, 3], 1), ([2, 3, 7, 21], [4, 3, 3, 3], 1), ([4, 1, 6, 17], [3, 1, 3, 3], 0),
        ([1, 2, 5, 5], [2, 2, 2, 3], 2), ([5, 3, 4, 4], [6, 3, 3, 3], 1),
    ]

    func check(file: StaticString = #filePath, line: UInt = #line) throws {
        for (xs, ws, padding) in shapes {
            let name = "thin \(xs) \(ws) p\(padding) \(KernelPath.current)"
            XCTAssertTrue(ThinConvolution.applies(try WindowGeometry(op: name, input: xs, kernel: (ws[2], ws[3]), stride: 1,
                                                                     padding: padding, mode: .zeros)), name)
            for bias in [false, true] {
                let x = randomTensor(xs, name + "x"), w = randomTensor(ws, name + "w", scale: 0.5), b = randomTensor([ws[0]], name + "b")
                // The first layer: the input needs no gradient; and a thin layer inside a network.
                for flags in [[false, true, true], [true, true, true]] {
                    try checkOp(name + (bias ? " bias" : "") + " \(flags)", inputs: bias ? [x, w, b] : [x, w],
                                differentiable: Array(flags.prefix(bias ? 3 : 2)), op: { v in
                        try conv2d(v[0], weight: v[1], bias: bias ? v[2] : nil, padding: padding)
                    }, reference: { d in
                        naiveConv2d(d[0], xs, d[1], ws, bias ? d[2] : nil, stride: 1, padding: padding, circular: false)
                    }, file: file, line: line)
                }
            }
        }
    }

    func testDirectKernelsMatchTheReference() throws {
        let saved = thinConvolutionMaximumTaps
        defer { thinConvolutionMaximumTaps = saved }
        thinConvolutionMaximumTaps = 64
        try check()
    }

    func testForcedPortablePathMatchesTheReferenceAndTheAVX2PathToRounding() throws {
        let saved = thinConvolutionMaximumTaps
        defer { thinConvolutionMaximumTaps = saved; unsetenv("EQX_KERNELS"); KernelPath.select() }
        thinConvolutionMaximumTaps = 64
        func run() throws -> [Tensor] {
            let x = Variable(randomTensor([6, 3, 28, 28], "thin/portable/x"))
            let w = Variable(randomTensor([16, 3, 3, 3], "thin/portable/w"), requiresGrad: true)
            let b = Variable(randomTensor([16], "thin/portable/b"), requiresGrad: true)
            let y = try conv2d(x, weight: w, bias: b, padding: 1)
            try y.backward(seed: randomTensor(y.shape, "thin/portable/seed"))
            return [y.value, w.grad!, b.grad!]
        }
        unsetenv("EQX_KERNELS")
        let native = KernelPath.select()
        let fast = try run()
        setenv("EQX_KERNELS", "portable", 1)
        XCTAssertEqual(KernelPath.select(), .portable)
        try check()
        let portable = try run()
        // The forward pass sums the taps in the same order (only fused multiply-adds round differently); the
        // weight gradient's sums over 4,704 pixels are split into 8 lanes on the AVX2 path.
        for (i, (a, b)) in zip(fast, portable).enumerated() {
            XCTAssertEqual(a.shape, b.shape)
            let tolerance = i == 0 ? 1e-6 : 1e-4
            assertClose(doubles(a), doubles(b), atol: tolerance, rtol: tolerance, "\(native) vs portable, output \(i)")
        }
    }

    func testResultsAreDeterministicForAThreadCount() throws {
        let saved = (thinConvolutionMaximumTaps, ComputeThreads.count)
        defer { (thinConvolutionMaximumTaps, ComputeThreads.count) = saved }
        thinConvolutionMaximumTaps = 64
        ComputeThreads.count = 2
        func run() throws -> [[Float]] {
            let x = Variable(randomTensor([7, 1, 28, 28], "thin/det/x"))
            let w = Variable(randomTensor([8, 1, 3, 3], "thin/det/w"), requiresGrad: true)
            let y = try conv2d(x, weight: w, padding: 1)
            try y.backward(seed: randomTensor(y.shape, "thin/det/seed"))
            return [y.value.scalars, w.grad!.scalars]
        }
        XCTAssertEqual(try run(), try run())
    }
}
