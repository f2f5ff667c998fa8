import CEqxKernels
import Foundation
import XCTest
@testable import EqxTensor

/// The float32 tanh kernel (CEqxKernels/Tanh.c) against libm's double tanh rounded to float, on a sweep
/// of float bit patterns over ±[2^-30, 24] plus the special values, on both kernel paths.
final class TanhKernelTests: XCTestCase {
    /// Distance in units in the last place between two finite floats of the same sign.
    func ulps(_ a: Float, _ b: Float) -> Int {
        if a == b { return 0 }
        return abs(Int(Int32(bitPattern: a.bitPattern)) - Int(Int32(bitPattern: b.bitPattern)))
    }

    /// Every 37th float in ±[2^-30, 24], plus zeros, ±∞, NaN and the largest finite floats.
    var sweep: [Float] {
        var xs: [Float] = [0, -0, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                           .leastNonzeroMagnitude, 0.0009765625, 0.0009765624, 20, 19.999, 9.01, 0.5]
        var bits = Float(0x1p-30).bitPattern
        while Float(bitPattern: bits) < 24 {
            xs.append(Float(bitPattern: bits)); xs.append(-Float(bitPattern: bits))
            bits += 37
        }
        return xs
    }

    func run(_ xs: [Float]) -> [Float] {
        var ys = [Float](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { xp in ys.withUnsafeMutableBufferPointer { eqx_tanh_f32(xp.baseAddress!, $0.baseAddress!, xs.count) } }
        return ys
    }

    func check(_ path: String) {
        let xs = sweep, ys = run(xs)
        var worst = 0, off = 0
        for (x, y) in zip(xs, ys) {
            if x.isNaN { XCTAssertTrue(y.isNaN, "\(path): tanh(NaN)"); continue }
            let exact = Float(Foundation.tanh(Double(x)))
            let d = ulps(y, exact)
            if d > 0 { off += 1 }
            worst = max(worst, d)
            if d > 1 { XCTFail("\(path): tanh(\(x)) = \(y), libm \(exact) (\(d) ulp)"); return }
        }
        XCTAssertEqual(Float(0).sign, run([0])[0].sign)
        XCTAssertEqual(run([-0.0])[0].sign, .minus, "\(path): tanh(−0) is −0")
        // Rounded once from a double accurate to ~1e-12: differs from the correctly rounded value only in
        // near-halfway cases.
        XCTAssertLessThan(Double(off) / Double(xs.count), 1e-4, "\(path): \(off) of \(xs.count) off by one ulp")
        XCTAssertLessThanOrEqual(worst, 1)
    }

    func testBothPathsAgreeWithLibmAndWithEachOther() {
        defer { unsetenv("EQX_KERNELS"); KernelPath.select() }
        unsetenv("EQX_KERNELS")
        let native = KernelPath.select()
        check("\(native)")
        let fast = run(sweep)
        setenv("EQX_KERNELS", "portable", 1)
        XCTAssertEqual(KernelPath.select(), .portable)
        check("portable")
        let portable = run(sweep)
        // No FMA contraction: both paths do the same IEEE operations.
        XCTAssertEqual(fast.map(\.bitPattern), portable.map(\.bitPattern), "\(native) and portable give the same bits")
    }

    func testVariableTanhUsesTheKernelInBothPassesOverThreads() throws {
        let saved = ComputeThreads.count
        defer { ComputeThreads.count = saved }
        let x = randomTensor([3, 5, 70, 70], "tanh/threads", scale: 4)
        var results: [[UInt32]] = []
        for threads in [1, 2] {
            ComputeThreads.count = threads
            let v = Variable(x, requiresGrad: true)
            let y = tanh(v)
            try y.backward(seed: randomTensor(y.shape, "tanh/threads/seed"))
            results.append(y.value.scalars.map(\.bitPattern) + v.grad!.scalars.map(\.bitPattern))
            for (a, e) in zip(y.value.scalars, x.scalars) {
                XCTAssertLessThanOrEqual(ulps(a, Float(Foundation.tanh(Double(e)))), 1)
            }
        }
        XCTAssertEqual(results[0], results[1], "element-wise results do not depend on the thread count")
    }
}
