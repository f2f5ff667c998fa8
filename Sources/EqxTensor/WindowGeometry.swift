/// How a convolution sees pixels outside the image.
public enum PaddingMode: String, Sendable {
    /// Pixels outside are 0.
    case zeros
    /// The image wraps around (a torus), as needed for cyclic-translation groups. Needs padding <= H, W.
    case circular
}

/// Index geometry of one 2-D convolution or pooling window sweep.
struct WindowGeometry {
    let n, c, h, w: Int
    let kh, kw, stride, padding: Int
    let oh, ow: Int
    /// Source row for kernel row i and output row y, at `i * oh + y`; -1 for a zero pad.
    let rowSource: [Int32]
    /// Source column for kernel column j and output column x, at `j * ow + x`; -1 for a zero pad.
    let colSource: [Int32]

    init(op: String, input: [Int], kernel: (Int, Int), stride: Int, padding: Int, mode: PaddingMode) throws {
        guard input.count == 4 else {
            throw TensorError.rankMismatch(op: op, expected: "input [N, C, H, W]", got: input)
        }
        guard stride >= 1, padding >= 0, kernel.0 >= 1, kernel.1 >= 1 else {
            throw TensorError.invalidArgument(op: op, message: "kernel \(kernel.0)x\(kernel.1), stride \(stride), padding \(padding) must be positive (padding >= 0)")
        }
        (n, c, h, w) = (input[0], input[1], input[2], input[3])
        (kh, kw) = kernel
        self.stride = stride
        self.padding = padding
        if mode == .circular && (padding > h || padding > w) {
            throw TensorError.invalidArgument(op: op, message: "circular padding \(padding) exceeds image \(h)x\(w)")
        }
        guard h + 2 * padding >= kh, w + 2 * padding >= kw else {
            throw TensorError.invalidArgument(op: op, message: "kernel \(kh)x\(kw) larger than padded input \(h + 2 * padding)x\(w + 2 * padding) (input \(input))")
        }
        oh = (h + 2 * padding - kh) / stride + 1
        ow = (w + 2 * padding - kw) / stride + 1
        func source(_ k: Int, _ o: Int, _ size: Int) -> Int32 {
            let r = o * stride - padding + k
            switch mode {
            case .zeros: return (r >= 0 && r < size) ? Int32(r) : -1
            case .circular: return Int32(((r % size) + size) % size)
            }
        }
        var rows = [Int32](repeating: 0, count: kh * oh)
        for i in 0..<kh { for y in 0..<oh { rows[i * oh + y] = source(i, y, h) } }
        var cols = [Int32](repeating: 0, count: kw * ow)
        for j in 0..<kw { for x in 0..<ow { cols[j * ow + x] = source(j, x, w) } }
        rowSource = rows
        colSource = cols
    }

    var outputPlane: Int { oh * ow }
    var inputPlane: Int { h * w }
    /// Rows of the im2col matrix: one per (channel, kernel row, kernel column).
    var patchSize: Int { c * kh * kw }

    /// Writes columns for samples `batch` into `cols` ([patchSize, batch.count * oh * ow], row-major).
    /// Rows are split across threads unless `serial`.
    func im2col(_ x: UnsafePointer<Float>, batch: Range<Int>, into cols: UnsafeMutablePointer<Float>, serial: Bool = false) {
        let width = batch.count * outputPlane
        rowSource.withUnsafeBufferPointer { rs in
            colSource.withUnsafeBufferPointer { cs in
                let body = { (rows: Range<Int>) in
                    for r in rows { self.im2colRow(r, x, batch: batch, rs: rs, cs: cs, dst: cols + r * width) }
                }
                if serial { body(0..<patchSize) } else { parallelFor(patchSize, cost: width, body) }
            }
        }
    }

    /// One row (channel ch, kernel offset i, j) of the im2col matrix.
    @inline(__always)
    private func im2colRow(_ r: Int, _ x: UnsafePointer<Float>, batch: Range<Int>,
                           rs: UnsafeBufferPointer<Int32>, cs: UnsafeBufferPointer<Int32>, dst start: UnsafeMutablePointer<Float>) {
        let (kh, kw, oh, ow, w) = (self.kh, self.kw, self.oh, self.ow, self.w)
        let ch = r / (kh * kw), i = (r / kw) % kh, j = r % kw
        let (lo, hi) = contiguousRun(j, cs: cs)
        var dst = start
        for s in batch {
            let src = x + (s * c + ch) * inputPlane
            for y in 0..<oh {
                let sr = Int(rs[i * oh + y])
                if sr < 0 {
                    dst.update(repeating: 0, count: ow)
                } else {
                    let line = src + sr * w
                    if hi > lo {
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        dst.advanced(by: lo).update(from: line + (lo - padding + j), count: hi - lo)
                        if hi < ow { dst.advanced(by: hi).update(repeating: 0, count: ow - hi) }
                    } else {
                        for xo in 0..<ow {
                            let sc = Int(cs[j * ow + xo])
                            dst[xo] = sc < 0 ? 0 : line[sc]
                        }
                    }
                }
                dst += ow
            }
        }
    }

    /// Output columns [lo, hi) of kernel column j whose sources are the contiguous run
    /// x − padding + j (stride 1, no wrap-around); empty (0, 0) when the table must be used.
    @inline(__always)
    func contiguousRun(_ j: Int, cs: UnsafeBufferPointer<Int32>) -> (Int, Int) {
        guard stride == 1 else { return (0, 0) }
        let s0 = Int(cs[j * ow]), sLast = Int(cs[j * ow + ow - 1])
        if s0 >= 0 && sLast >= 0 && sLast - s0 == ow - 1 && s0 == j - padding { return (0, ow) }
        if s0 < 0 || sLast < 0 {
            // Zero padding: the valid sources x − padding + j lie in [0, w).
            let lo = max(0, padding - j), hi = min(ow, w + padding - j)
            return hi > lo ? (lo, hi) : (0, 0)
        }
        return (0, 0)
    }

    /// Adds the columns `cols` back into the image gradient `dx` (the adjoint of `im2col`).
    /// Each thread owns whole channels, so the accumulation order is fixed.
    func col2im(_ cols: UnsafePointer<Float>, batch: Range<Int>, into dx: UnsafeMutablePointer<Float>, serial: Bool = false) {
        let width = batch.count * outputPlane
        let (kh, kw, oh, ow, w) = (self.kh, self.kw, self.oh, self.ow, self.w)
        let plane = inputPlane, channels = c
        rowSource.withUnsafeBufferPointer { rs in
            colSource.withUnsafeBufferPointer { cs in
                let body = { (chs: Range<Int>) in
                    for ch in chs {
                        for i in 0..<kh {
                            for j in 0..<kw {
                                let r = (ch * kh + i) * kw + j
                                var src = cols + r * width
                                let (lo, hi) = self.contiguousRun(j, cs: cs)
                                let shift = j - self.padding
                                for s in batch {
                                    let dst = dx + (s * channels + ch) * plane
                                    for y in 0..<oh {
                                        let sr = Int(rs[i * oh + y])
                                        if sr >= 0 {
                                            let line = dst + sr * w
                                            if hi > lo {
                                                for xo in lo..<hi { line[xo + shift] += src[xo] }
                                            } else {
                                                for xo in 0..<ow {
                                                    let sc = Int(cs[j * ow + xo])
                                                    if sc >= 0 { line[sc] += src[xo] }
                                                }
                                            }
                                        }
                                        src += ow
                                    }
                                }
                            }
                        }
                    }
                }
                if serial { body(0..<channels) } else { parallelFor(channels, cost: width * kh * kw, body) }
            }
        }
    }
}
