import XCTest
@testable import EqxTensor

/// `orbitTiedConv2d` against the naive convolution with the expanded kernel (forward, finite differences of
/// every input) and against `conv2d` with the expanded kernel, whose weight gradient summed over each orbit
/// must equal the tied op's.
final class OrbitTiedConvolutionTests: XCTestCase {
    func testOrbitCounts() throws {
        XCTAssertEqual(try TapOrbits.horizontalMirror(3, 3).count, 6)
        XCTAssertEqual(try TapOrbits.rotations(3).count, 3)
        XCTAssertEqual(try TapOrbits.rotations(3).orbit, [0, 1, 0, 1, 2, 1, 0, 1, 0])
        XCTAssertEqual(try TapOrbits.horizontalMirror(3, 3).orbit, [0, 1, 0, 2, 3, 2, 4, 5, 4])
        XCTAssertEqual(try TapOrbits.rotations(4).count, 4)
        XCTAssertThrowsError(try TapOrbits(kernelHeight: 3, kernelWidth: 3, actions: [[0, 0, 1, 2, 3, 4, 5, 6, 7]]))
    }

    func check(x xs: [Int], o: Int, orbits: TapOrbits, bias: Bool, stride: Int, padding: Int, mode: PaddingMode,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let name = "tied \(xs) o\(o) r\(orbits.count) s\(stride) p\(padding) \(mode)"
        let ws = [o, xs[1], orbits.count], full = [o, xs[1], orbits.kernelHeight, orbits.kernelWidth]
        let x = randomTensor(xs, name + "x"), w = randomTensor(ws, name + "w", scale: 0.5), b = randomTensor([o], name + "b")
        try checkOp(name, inputs: bias ? [x, w, b] : [x, w], op: { v in
            try orbitTiedConv2d(v[0], weight: v[1], orbits: orbits, bias: bias ? v[2] : nil, stride: stride, padding: padding,
                                paddingMode: mode)
        }, reference: { d in
            let taps = orbits.kernelHeight * orbits.kernelWidth
            let expanded = (0..<(o * xs[1] * taps)).map { d[1][($0 / taps) * orbits.count + orbits.orbit[$0 % taps]] }
            return naiveConv2d(d[0], xs, expanded, full, bias ? d[2] : nil, stride: stride, padding: padding, circular: mode == .circular)
        }, file: file, line: line)
    }

    func testMatchesTheExpandedKernelAndFiniteDifferences() throws {
        for orbits in [try TapOrbits.horizontalMirror(3, 3), try TapOrbits.rotations(3)] {
            try check(x: [3, 2, 7, 7], o: 4, orbits: orbits, bias: true, stride: 1, padding: 1, mode: .zeros)
            try check(x: [2, 3, 6, 9], o: 3, orbits: orbits, bias: false, stride: 2, padding: 1, mode: .circular)
            try check(x: [5, 1, 5, 5], o: 2, orbits: orbits, bias: true, stride: 1, padding: 0, mode: .zeros)
            try check(x: [2, 2, 9, 10], o: 3, orbits: orbits, bias: true, stride: 1, padding: 1, mode: .zeros)
            try check(x: [1, 2, 8, 9], o: 2, orbits: orbits, bias: false, stride: 1, padding: 2, mode: .zeros)
            try check(x: [2, 2, 9, 8], o: 2, orbits: orbits, bias: false, stride: 1, padding: 1, mode: .circular)
            try check(x: [2, 1, 2, 3], o: 2, orbits: orbits, bias: true, stride: 1, padding: 1, mode: .zeros)
        }
        try check(x: [2, 2, 6, 6], o: 3, orbits: try TapOrbits.horizontalMirror(2, 3), bias: true, stride: 1, padding: 1, mode: .zeros)
    }

    func testGradientIsTheOrbitSumOfTheFullGradient() throws {
        let orbits = try TapOrbits.rotations(3)
        let x = randomTensor([6, 8, 12, 12], "tied/sum/x"), free = randomTensor([16, 8, 3], "tied/sum/w")
        let seedShape = [6, 16, 12, 12], seed = randomTensor(seedShape, "tied/sum/seed")
        let xt = Variable(x, requiresGrad: true), wt = Variable(free, requiresGrad: true)
        let yt = try orbitTiedConv2d(xt, weight: wt, orbits: orbits, padding: 1)
        try yt.backward(seed: seed)
        let xf = Variable(x, requiresGrad: true), wf = Variable(try orbits.expand(free), requiresGrad: true)
        let yf = try conv2d(xf, weight: wf, padding: 1)
        try yf.backward(seed: seed)
        assertClose(doubles(yt.value), doubles(yf.value), atol: 1e-4, rtol: 1e-4, "forward")
        assertClose(doubles(xt.grad!), doubles(xf.grad!), atol: 1e-4, rtol: 1e-4, "input gradient")
        let full = wf.grad!.scalars
        var summed = [Double](repeating: 0, count: free.count)
        for i in 0..<full.count { summed[(i / 9) * 3 + orbits.orbit[i % 9]] += Double(full[i]) }
        assertClose(doubles(wt.grad!), summed, atol: 1e-3, rtol: 1e-4, "weight gradient")
    }

    func testShapeErrors() throws {
        let orbits = try TapOrbits.rotations(3)
        XCTAssertThrowsError(try orbitTiedConv2d(Variable(.zeros([1, 2, 5, 5])), weight: Variable(.zeros([3, 2, 9])), orbits: orbits))
        XCTAssertThrowsError(try orbitTiedConv2d(Variable(.zeros([1, 2, 5, 5])), weight: Variable(.zeros([3, 1, 3])), orbits: orbits))
        XCTAssertThrowsError(try orbits.expand(.zeros([3, 2, 4])))
    }
}

extension OrbitTiedConvolutionTests {
    func testTapOrbitMeanAgainstTheLoopAndFiniteDifferences() throws {
        for orbits in [try TapOrbits.rotations(3), try TapOrbits.horizontalMirror(3, 3)] {
            let w = randomTensor([2, 3, 3, 3], "mean/w/\(orbits.count)")
            let sizes = orbits.sizes
            try checkOp("tap orbit mean", inputs: [w], op: { try tapOrbitMean($0[0], orbits: orbits) }, reference: { d in
                var out = [Double](repeating: 0, count: 2 * 3 * orbits.count)
                for i in 0..<d[0].count {
                    let r = orbits.orbit[i % 9]
                    out[(i / 9) * orbits.count + r] += d[0][i] / Double(sizes[r])
                }
                return out
            })
            // A kernel already tied gives back its own free weights exactly.
            let free = randomTensor([4, 2, orbits.count], "mean/free/\(orbits.count)")
            XCTAssertEqual(try tapOrbitMean(Variable(orbits.expand(free)), orbits: orbits).value.scalars, free.scalars)
            XCTAssertEqual(try TapOrbits(kernelHeight: 3, kernelWidth: 3, orbitOfTap: orbits.orbit), orbits)
        }
        XCTAssertEqual(try TapOrbits.rotations(3).sizes, [4, 4, 1])
        XCTAssertThrowsError(try TapOrbits(kernelHeight: 3, kernelWidth: 3, orbitOfTap: [1, 0, 1, 0, 2, 0, 1, 0, 1]))
        XCTAssertThrowsError(try TapOrbits(kernelHeight: 3, kernelWidth: 3, orbitOfTap: [0, 1]))
        XCTAssertThrowsError(try tapOrbitMean(Variable(.zeros([2, 2, 3])), orbits: try TapOrbits.rotations(3)))
    }
}

extension OrbitTiedConvolutionTests {
    /// The orbit-summed gather and its adjoint are bit-identical to the full im2col followed by summing each
    /// orbit's rows in tap order, and to copying each orbit's row to its taps followed by col2im, on every
    /// path: stride 1 rows of 8+ lanes, 4–7 lanes and narrower, strides above 1, zero and circular padding.
    func testOrbitSummedPatchesEqualIm2colThenOrbitSums() throws {
        let cases: [(x: [Int], orbits: TapOrbits, stride: Int, padding: Int, mode: PaddingMode)] = [
            ([2, 3, 14, 14], try .rotations(3), 1, 1, .zeros), ([2, 3, 7, 7], try .rotations(3), 1, 1, .zeros),
            ([1, 2, 9, 11], try .horizontalMirror(3, 3), 1, 2, .zeros), ([2, 2, 5, 6], try .horizontalMirror(3, 3), 1, 0, .zeros),
            ([1, 2, 3, 3], try .rotations(3), 1, 1, .zeros), ([2, 2, 10, 12], try .rotations(3), 1, 1, .circular),
            ([1, 3, 9, 9], try .rotations(3), 2, 1, .zeros), ([1, 2, 8, 13], try .horizontalMirror(2, 3), 1, 1, .zeros),
            ([1, 2, 6, 6], try .rotations(4), 1, 2, .zeros),
        ]
        for (xs, orbits, stride, padding, mode) in cases {
            let name = "\(xs) r\(orbits.count) s\(stride) p\(padding) \(mode)"
            let g = try WindowGeometry(op: name, input: xs, kernel: (orbits.kernelHeight, orbits.kernelWidth), stride: stride,
                                       padding: padding, mode: mode)
            let gather = PatchGather<Float>(g), taps = g.kh * g.kw, r = orbits.count
            let width = xs[0] * g.outputPlane, k = g.patchSize
            let x = randomTensor(xs, name + "x").scalars, dtied = randomTensor([xs[1] * r, width], name + "d").scalars
            var full = [Float](repeating: 0, count: k * width), tied = [Float](repeating: .nan, count: xs[1] * r * width)
            var expected = [Float](repeating: 0, count: xs[1] * r * width)
            var dxFull = [Float](repeating: .nan, count: x.count), dxTied = [Float](repeating: .nan, count: x.count)
            x.withUnsafeBufferPointer { xp in
                full.withUnsafeMutableBufferPointer { gather.im2col(xp.baseAddress!, batch: 0..<xs[0], into: $0.baseAddress!) }
                tied.withUnsafeMutableBufferPointer { gather.orbitSummedIm2col(xp.baseAddress!, batch: 0..<xs[0], orbits: orbits, into: $0.baseAddress!) }
            }
            for c in 0..<xs[1] {
                var seen = Set<Int>()
                for t in 0..<taps {
                    let q = orbits.orbit[t]
                    for col in 0..<width {
                        let v = full[(c * taps + t) * width + col], i = (c * r + q) * width + col
                        expected[i] = seen.contains(q) ? expected[i] + v : v
                    }
                    seen.insert(q)
                }
            }
            XCTAssertEqual(tied.map(\.bitPattern), expected.map(\.bitPattern), "gather " + name)
            var expanded = [Float](repeating: 0, count: k * width)
            for c in 0..<xs[1] {
                for t in 0..<taps {
                    for col in 0..<width { expanded[(c * taps + t) * width + col] = dtied[(c * r + orbits.orbit[t]) * width + col] }
                }
            }
            expanded.withUnsafeBufferPointer { ep in
                dxFull.withUnsafeMutableBufferPointer { gather.col2im(ep.baseAddress!, batch: 0..<xs[0], into: $0.baseAddress!) }
            }
            dtied.withUnsafeBufferPointer { dp in
                dxTied.withUnsafeMutableBufferPointer { gather.orbitSummedCol2im(dp.baseAddress!, batch: 0..<xs[0], orbits: orbits, into: $0.baseAddress!) }
            }
            XCTAssertEqual(dxTied.map(\.bitPattern), dxFull.map(\.bitPattern), "adjoint " + name)
        }
    }
}
