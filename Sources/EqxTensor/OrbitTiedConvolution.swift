/// Which kernel taps share one weight: tap t = i·KW + j belongs to orbit `orbit[t]` (0..<count). Under a
/// mirror a 3×3 kernel has 6 orbits, under rotations by 90° 3 (centre, edges, corners).
public struct TapOrbits: Hashable, Sendable {
    public let kernelHeight, kernelWidth: Int
    public let orbit: [Int]
    public let count: Int

    /// Orbits of the taps under the tap permutations `actions` (each maps tap t to actions[a][t]); the
    /// orbits are numbered in order of their first tap.
    public init(kernelHeight: Int, kernelWidth: Int, actions: [[Int]]) throws {
        let taps = kernelHeight * kernelWidth
        guard kernelHeight > 0, kernelWidth > 0 else {
            throw TensorError.invalidArgument(op: "tap orbits", message: "kernel \(kernelHeight)×\(kernelWidth) is empty")
        }
        for a in actions where a.count != taps || Set(a) != Set(0..<taps) {
            throw TensorError.invalidArgument(op: "tap orbits", message: "an action is not a permutation of the \(taps) taps")
        }
        var orbit = [Int](repeating: -1, count: taps), next = 0
        for t in 0..<taps where orbit[t] < 0 {
            var stack = [t]
            orbit[t] = next
            while let u = stack.popLast() {
                for a in actions where orbit[a[u]] < 0 { orbit[a[u]] = next; stack.append(a[u]) }
            }
            next += 1
        }
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth; self.orbit = orbit; count = next
    }

    /// The orbits given by each tap's orbit number, numbered 0, 1, … in order of their first tap.
    public init(kernelHeight: Int, kernelWidth: Int, orbitOfTap: [Int]) throws {
        guard kernelHeight > 0, kernelWidth > 0, orbitOfTap.count == kernelHeight * kernelWidth else {
            throw TensorError.invalidArgument(op: "tap orbits", message: "\(orbitOfTap.count) orbit numbers for a \(kernelHeight)×\(kernelWidth) kernel")
        }
        var next = 0
        for r in orbitOfTap {
            guard r >= 0, r <= next else {
                throw TensorError.invalidArgument(op: "tap orbits", message: "orbits must be numbered in order of their first tap")
            }
            if r == next { next += 1 }
        }
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth; orbit = orbitOfTap; count = next
    }

    /// Number of taps in each orbit.
    public var sizes: [Int] {
        var s = [Int](repeating: 0, count: count)
        for r in orbit { s[r] += 1 }
        return s
    }

    /// Taps tied by the horizontal mirror (j ↦ KW−1−j).
    public static func horizontalMirror(_ kh: Int, _ kw: Int) throws -> TapOrbits {
        try TapOrbits(kernelHeight: kh, kernelWidth: kw, actions: [(0..<(kh * kw)).map { ($0 / kw) * kw + kw - 1 - $0 % kw }])
    }

    /// Taps tied by rotations of a square kernel by 90° ((i, j) ↦ (j, K−1−i)).
    public static func rotations(_ k: Int) throws -> TapOrbits {
        try TapOrbits(kernelHeight: k, kernelWidth: k, actions: [(0..<(k * k)).map { t in (t % k) * k + k - 1 - t / k }])
    }

    /// The full kernel [O, C, KH, KW] of free weights [O, C, count].
    public func expand(_ free: Tensor) throws -> Tensor { try expand(free, as: Float.self) }

    /// `expand` in either precision.
    public func expand<Scalar: TensorScalar>(_ free: TensorOf<Scalar>, as: Scalar.Type = Scalar.self) throws -> TensorOf<Scalar> {
        let s = free.shape
        guard s.count == 3, s[2] == count else {
            throw TensorError.shapeMismatch(op: "tap orbits expand", expected: [-1, -1, count], got: s)
        }
        let taps = kernelHeight * kernelWidth
        let f = free.scalars
        return try TensorOf<Scalar>(shape: [s[0], s[1], kernelHeight, kernelWidth],
                          scalars: (0..<(s[0] * s[1] * taps)).map { f[($0 / taps) * count + orbit[$0 % taps]] })
    }
}

/// The free weights [O, C, R] of a kernel [O, C, KH, KW]: each the mean of its orbit's taps (in Double, so
/// a kernel already tied gives back its own values exactly). With `orbitTiedConv2d` this evaluates the
/// conv at Π_E W, and the gradient reaching W is Π_E of the full kernel's gradient: each tap gets its
/// orbit's summed gradient divided by the orbit's size.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func tapOrbitMean<Scalar: TensorScalar>(_ weight: VariableOf<Scalar>, orbits: TapOrbits) throws -> VariableOf<Scalar> {
    let ws = weight.shape
    guard ws.count == 4, ws[2] == orbits.kernelHeight, ws[3] == orbits.kernelWidth else {
        throw TensorError.shapeMismatch(op: "tap orbit mean \(weight.displayName)", expected: [-1, -1, orbits.kernelHeight, orbits.kernelWidth], got: ws)
    }
    let blocks = ws[0] * ws[1], taps = ws[2] * ws[3], r = orbits.count
    let inverseSizes = orbits.sizes.map { 1 / Double($0) }
    let w = weight.value.scalars
    var sums = [Double](repeating: 0, count: blocks * r)
    for b in 0..<blocks {
        for t in 0..<taps { sums[b * r + orbits.orbit[t]] += Double(w[b * taps + t]) }
    }
    let free = try TensorOf<Scalar>(shape: [ws[0], ws[1], r], scalars: sums.indices.map { Scalar(sums[$0] * inverseSizes[$0 % r]) })
    return VariableOf<Scalar>.make(free, inputs: [weight]) { dfree in
        let g = dfree.scalars
        return [try TensorOf<Scalar>(shape: ws, scalars: (0..<(blocks * taps)).map { i in
            let q = orbits.orbit[i % taps]
            return Scalar(Double(g[(i / taps) * r + q]) * inverseSizes[q])
        })]
    }
}

/// 2-D cross-correlation whose kernel taps are tied over `orbits`: the weight is only the free part
/// [O, C, R] (R = orbits.count), the kernel is weight[o, c, orbit(t)]. Since Σ_t W[o,c,orbit(t)]·patch_t =
/// Σ_r W[o,c,r]·(Σ_{t∈r} patch_t), the patch matrix is summed over each orbit before the GEMM, so K shrinks
/// from C·KH·KW to C·R in forward and in the weight gradient, and the gradient lands in the free weights.
/// Equal to `conv2d` with `orbits.expand(weight)` up to rounding.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func orbitTiedConv2d<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, weight: VariableOf<Scalar>, orbits: TapOrbits, bias: VariableOf<Scalar>? = nil,
                            stride: Int = 1, padding: Int = 0, paddingMode: PaddingMode = .zeros) throws -> VariableOf<Scalar> {
    let op = "orbit-tied conv2d \(weight.displayName)"
    let ws = weight.shape
    guard ws.count == 3, ws[2] == orbits.count else {
        throw TensorError.shapeMismatch(op: op, expected: [-1, x.shape.count == 4 ? x.shape[1] : -1, orbits.count], got: ws)
    }
    guard x.shape.count == 4, x.shape[1] == ws[1] else {
        throw TensorError.shapeMismatch(op: op, expected: [x.shape.first ?? -1, ws[1], -1, -1], got: x.shape)
    }
    if let bias, bias.shape != [ws[0]] {
        throw TensorError.shapeMismatch(op: op + " bias", expected: [ws[0]], got: bias.shape)
    }
    let g = try WindowGeometry(op: op, input: x.shape, kernel: (orbits.kernelHeight, orbits.kernelWidth), stride: stride,
                               padding: padding, mode: paddingMode)
    let tied = OrbitTiedConvolution(conv: Convolution<Scalar>(g: g, o: ws[0]), orbits: orbits)
    var out = TensorOf<Scalar>(shape: [g.n, ws[0], g.oh, g.ow]) { _ in }
    if g.n > 0 {
        x.value.withUnsafeBufferPointer { xp in
            weight.value.withUnsafeBufferPointer { wp in
                withOptionalPointer(bias?.value) { bp in
                    out.withUnsafeMutableBufferPointer { yp in tied.forward(xp.baseAddress!, wp.baseAddress!, bp, yp.baseAddress!) }
                }
            }
        }
    }
    let xv = x.value, wv = weight.value
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    return VariableOf<Scalar>.make(out, inputs: [x, weight] + (bias.map { [$0] } ?? [])) { dy in
        var dx: TensorOf<Scalar>? = needX ? .zeros(xv.shape) : nil
        var dw: TensorOf<Scalar>? = needW ? .zeros(wv.shape) : nil
        var db: TensorOf<Scalar>? = needB ? .zeros([ws[0]]) : nil
        if g.n > 0 {
            xv.withUnsafeBufferPointer { xp in
                wv.withUnsafeBufferPointer { wp in
                    dy.withUnsafeBufferPointer { gp in
                        withOptionalMutablePointer(&dx) { dxp in
                            withOptionalMutablePointer(&dw) { dwp in
                                withOptionalMutablePointer(&db) { dbp in
                                    tied.backward(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, dx: dxp, dw: dwp, db: dbp)
                                }
                            }
                        }
                    }
                }
            }
        }
        return [dx, dw] + (bias != nil ? [db] : [])
    }
}

/// The per-thread plan of `orbitTiedConv2d`: each thread takes a contiguous share of the images and, on
/// cache-sized chunks of them, gathers the orbit-summed patch matrix [C·R, chunk·P] straight from the
/// input (never the full [C·KH·KW, …] one) and runs a [O, C·R] GEMM. Partial weight gradients are summed
/// in thread order (deterministic for a given thread count).
struct OrbitTiedConvolution<Scalar: TensorScalar> {
    let conv: Convolution<Scalar>
    let orbits: TapOrbits

    var g: WindowGeometry { conv.g }
    var o: Int { conv.o }
    var p: Int { g.outputPlane }
    /// Rows of the orbit-summed patch matrix.
    var kTied: Int { g.c * orbits.count }
    var threads: Int { max(1, conv.threads) }
    var chunkWidth: Int { conv.imagesPerChunk * p }

    func forward(_ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ bias: UnsafePointer<Scalar>?, _ y: UnsafeMutablePointer<Scalar>) {
        let t = threads, cw = chunkWidth
        let tiedCols = ScratchBufferOf<Scalar>.take(t * kTied * cw), products = ScratchBufferOf<Scalar>.take(t * o * cw)
        DispatchQueueConcurrent.perform(t) { ti in
            let tied = tiedCols.pointer + ti * kTied * cw, product = products.pointer + ti * o * cw
            for batch in conv.chunks(ofThread: ti) {
                let width = batch.count * p
                conv.patches.orbitSummedIm2col(x, batch: batch, orbits: orbits, into: tied)
                gemmSerial(transA: false, transB: false, m: o, n: width, k: kTied, alpha: 1, a: w, lda: kTied, b: tied, ldb: width,
                            beta: 0, c: product, ldc: width)
                conv.scatter(product, batch: batch, bias: bias, into: y)
            }
        }
    }

    func backward(_ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                  dx: UnsafeMutablePointer<Scalar>?, dw: UnsafeMutablePointer<Scalar>?, db: UnsafeMutablePointer<Scalar>?) {
        let t = threads, cw = chunkWidth
        let tiedCols = ScratchBufferOf<Scalar>.take(t * kTied * cw), dyChunks = ScratchBufferOf<Scalar>.take(t * o * cw)
        let partialW = ScratchBufferOf<Scalar>.take(dw == nil ? 0 : t * o * kTied)
        var partialB = [Double](repeating: 0, count: db == nil ? 0 : t * o)
        partialB.withUnsafeMutableBufferPointer { pb in
            // An empty array may still have a base address: only a wanted db gets one.
            let pbp = db == nil ? nil : pb.baseAddress
            DispatchQueueConcurrent.perform(t) { ti in
                let tied = tiedCols.pointer + ti * kTied * cw
                let gathered = dyChunks.pointer + ti * o * cw, partial = partialW.pointer + ti * o * kTied
                if dw != nil { partial.update(repeating: 0, count: o * kTied) }
                for batch in conv.chunks(ofThread: ti) {
                    let width = batch.count * p
                    for (i, s) in batch.enumerated() {
                        for ch in 0..<o { copyRun(gathered + ch * width + i * p, dy + (s * o + ch) * p, p) }
                    }
                    if dw != nil {
                        conv.patches.orbitSummedIm2col(x, batch: batch, orbits: orbits, into: tied)
                        gemmSerial(transA: false, transB: true, m: o, n: kTied, k: width, alpha: 1, a: gathered, lda: width, b: tied, ldb: width,
                                    beta: 1, c: partial, ldc: kTied)
                    }
                    if let dx {
                        gemmSerial(transA: true, transB: false, m: kTied, n: width, k: o, alpha: 1, a: w, lda: kTied, b: gathered, ldb: width,
                                    beta: 0, c: tied, ldc: width)
                        conv.patches.orbitSummedCol2im(tied, batch: batch, orbits: orbits, into: dx)
                    }
                    if let pbp {
                        for ch in 0..<o { pbp[ti * o + ch] += blockSum(gathered + ch * width, width) }
                    }
                }
            }
        }
        sumPartials(partialW.pointer, partialB, threads: t, o: o, k: kTied, dw: dw, db: db)
    }
}
