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

/// Largest im2col buffer (in scalars) of the batched path; larger convolutions are processed in
/// batch chunks.
nonisolated(unsafe) var im2colBudget = 32 << 20

/// Output planes at least this large use the per-sample path (one im2col + GEMM per image, images
/// spread over threads, nothing retained for backward); smaller ones batch all images into one GEMM.
nonisolated(unsafe) var perSampleMinimumPlane = 144

/// 2-D cross-correlation (PyTorch `conv2d`): x [N, C, H, W], weight [O, C, KH, KW], bias [O].
/// Implemented as im2col + SGEMM, forward and backward.
public func conv2d(
    _ x: Variable, weight: Variable, bias: Variable? = nil,
    stride: Int = 1, padding: Int = 0, paddingMode: PaddingMode = .zeros
) throws -> Variable {
    let op = "conv2d \(weight.displayName)"
    let ws = weight.shape
    guard ws.count == 4 else { throw TensorError.rankMismatch(op: op, expected: "weight [O, C, KH, KW]", got: ws) }
    guard x.shape.count == 4, x.shape[1] == ws[1] else {
        throw TensorError.shapeMismatch(op: op, expected: [x.shape.first ?? -1, ws[1], -1, -1], got: x.shape)
    }
    if let bias, bias.shape != [ws[0]] {
        throw TensorError.shapeMismatch(op: op + " bias", expected: [ws[0]], got: bias.shape)
    }
    let g = try WindowGeometry(op: op, input: x.shape, kernel: (ws[2], ws[3]), stride: stride, padding: padding, mode: paddingMode)
    let conv = Convolution(g: g, o: ws[0])
    if g.n == 0 {
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return Variable.make(.zeros([0, ws[0], g.oh, g.ow]), inputs: inputs) { _ in
            [Tensor.zeros(x.shape), Tensor.zeros(ws)] + (bias.map { [Tensor.zeros($0.shape)] } ?? [])
        }
    }
    let needsGrad = Gradients.isEnabled && (x.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false))
    let perSample = g.outputPlane >= perSampleMinimumPlane
    var retained: ScratchBuffer? = nil
    var out = Tensor(shape: [g.n, ws[0], g.oh, g.ow]) { _ in }
    x.value.withUnsafeBufferPointer { xp in
        weight.value.withUnsafeBufferPointer { wp in
            withOptionalPointer(bias?.value) { bp in
                out.withUnsafeMutableBufferPointer { yp in
                    if perSample {
                        conv.forwardPerSample(xp.baseAddress!, wp.baseAddress!, bp, yp.baseAddress!)
                    } else {
                        retained = conv.forwardBatched(xp.baseAddress!, wp.baseAddress!, bp, yp.baseAddress!,
                                                       retainColumns: needsGrad && weight.requiresGrad)
                    }
                }
            }
        }
    }

    let xv = x.value, wv = weight.value
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return Variable.make(out, inputs: inputs) { dy in
        var dx: Tensor? = needX ? Tensor.zeros(xv.shape) : nil
        var dw: Tensor? = needW ? Tensor(shape: wv.shape) { _ in } : nil
        var db = [Float](repeating: 0, count: conv.o)
        xv.withUnsafeBufferPointer { xp in
            wv.withUnsafeBufferPointer { wp in
                dy.withUnsafeBufferPointer { gp in
                    withOptionalMutablePointer(&dx) { dxp in
                        withOptionalMutablePointer(&dw) { dwp in
                            db.withUnsafeMutableBufferPointer { dbp in
                                let dbPointer = needB ? dbp.baseAddress! : nil
                                if perSample {
                                    conv.backwardPerSample(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, dx: dxp, dw: dwp, db: dbPointer)
                                } else {
                                    conv.backwardBatched(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, columns: retained,
                                                         dx: dxp, dw: dwp, db: dbPointer)
                                }
                            }
                        }
                    }
                }
            }
        }
        var grads: [Tensor?] = [dx, dw]
        if bias != nil { grads.append(needB ? Tensor(db) : nil) }
        return grads
    }
}

/// The GEMM plans of one convolution. Pointers handed to these methods stay valid for the call
/// (they come from the enclosing `withUnsafe…` scopes; `dx`/`dw` point into tensors owned by the caller).
struct Convolution {
    let g: WindowGeometry
    let o: Int
    var n: Int { g.n }
    var p: Int { g.outputPlane }
    var k: Int { g.patchSize }
    var threads: Int { min(ComputeThreads.count, g.n) }

    /// One im2col + GEMM per image; images are split across threads.
    func forwardPerSample(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        let t = threads
        let cols = ScratchBuffer.take(t * k * p)
        DispatchQueueConcurrent.perform(t) { ti in
            let mine = cols.pointer + ti * k * p
            for s in chunk(ti, of: t, count: n) {
                g.im2col(x, batch: s..<(s + 1), into: mine, serial: true)
                let ys = y + s * o * p
                if let bias {
                    for ch in 0..<o { (ys + ch * p).update(repeating: bias[ch], count: p) }
                }
                sgemmSerial(transA: false, transB: false, m: o, n: p, k: k, alpha: 1, a: w, lda: k, b: mine, ldb: p,
                            beta: bias == nil ? 0 : 1, c: ys, ldc: p)
            }
        }
    }

    /// Per-image backward: dcols = Wᵀ·dy_s then col2im; dW accumulated per thread and summed in thread order.
    func backwardPerSample(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                           dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
        let t = threads
        let cols = ScratchBuffer.take(t * k * p)
        let dcols = ScratchBuffer.take(dx == nil ? 0 : t * k * p)
        let partialW = ScratchBuffer.take(dw == nil ? 0 : t * o * k)
        var partialB = [Double](repeating: 0, count: db == nil ? 0 : t * o)
        partialB.withUnsafeMutableBufferPointer { pb in
            let pbp = pb.baseAddress
            DispatchQueueConcurrent.perform(t) { ti in
                var first = true
                for s in chunk(ti, of: t, count: n) {
                    let dys = dy + s * o * p
                    if let _ = dw {
                        let mine = cols.pointer + ti * k * p
                        g.im2col(x, batch: s..<(s + 1), into: mine, serial: true)
                        sgemmSerial(transA: false, transB: true, m: o, n: k, k: p, alpha: 1, a: dys, lda: p, b: mine, ldb: p,
                                    beta: first ? 0 : 1, c: partialW.pointer + ti * o * k, ldc: k)
                    }
                    if let dx {
                        let mine = dcols.pointer + ti * k * p
                        sgemmSerial(transA: true, transB: false, m: k, n: p, k: o, alpha: 1, a: w, lda: k, b: dys, ldb: p,
                                    beta: 0, c: mine, ldc: p)
                        g.col2im(mine, batch: 0..<1, into: dx + s * g.c * g.inputPlane, serial: true)
                    }
                    if db != nil, let pbp {
                        for ch in 0..<o {
                            var acc = 0.0
                            let row = dys + ch * p
                            for i in 0..<p { acc += Double(row[i]) }
                            pbp[ti * o + ch] += acc
                        }
                    }
                    first = false
                }
            }
        }
        if let dw {
            dw.update(from: partialW.pointer, count: o * k)
            for ti in 1..<max(t, 1) {
                let part = partialW.pointer + ti * o * k
                for i in 0..<(o * k) { dw[i] += part[i] }
            }
        }
        if let db {
            for ch in 0..<o {
                var acc = 0.0
                for ti in 0..<t { acc += partialB[ti * o + ch] }
                db[ch] = Float(acc)
            }
        }
    }

    var chunkSamples: Int { max(1, min(n, im2colBudget / max(1, k * p))) }

    /// All images (in chunks bounded by `im2colBudget`) in one GEMM each: [O, K]·[K, chunk·P], then
    /// reordered to [chunk, O, P]. Returns the columns when they cover the whole batch and are wanted.
    func forwardBatched(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, retainColumns: Bool) -> ScratchBuffer? {
        let cs = chunkSamples
        let cols = ScratchBuffer.take(k * cs * p)
        let product = ScratchBuffer.take(o * cs * p)
        for start in Swift.stride(from: 0, to: n, by: cs) {
            let batch = start..<min(n, start + cs)
            let width = batch.count * p
            g.im2col(x, batch: batch, into: cols.pointer)
            sgemm(transA: false, transB: false, m: o, n: width, k: k, a: w, lda: k, b: cols.pointer, ldb: width,
                  c: product.pointer, ldc: width)
            let pr = UnsafePointer(product.pointer)
            parallelFor(batch.count * o, cost: p) { range in
                for idx in range {
                    let s = idx / o, ch = idx % o
                    let src = pr + ch * width + s * p
                    let dst = y + ((batch.lowerBound + s) * o + ch) * p
                    if let bias {
                        let b = bias[ch]
                        for i in 0..<p { dst[i] = src[i] + b }
                    } else {
                        dst.update(from: src, count: p)
                    }
                }
            }
        }
        return retainColumns && cs == n ? cols : nil
    }

    /// Batched backward: dy is reordered to [O, N·P] so dW = dyᵀ-GEMM over the whole batch and
    /// dcols = Wᵀ·dy chunk by chunk, followed by col2im.
    func backwardBatched(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, columns: ScratchBuffer?,
                         dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
        let total = n * p
        let dyT = ScratchBuffer.take(o * total)
        let tp = dyT.pointer
        parallelFor(o, cost: total) { range in
            for ch in range {
                for s in 0..<n { (tp + ch * total + s * p).update(from: dy + (s * o + ch) * p, count: p) }
                if let db {
                    var acc = 0.0
                    for i in 0..<total { acc += Double(tp[ch * total + i]) }
                    db[ch] = Float(acc)
                }
            }
        }
        let cs = chunkSamples
        let cols = dw == nil ? nil : (columns ?? ScratchBuffer.take(k * cs * p))
        let dcols = dx == nil ? nil : ScratchBuffer.take(k * cs * p)
        for start in Swift.stride(from: 0, to: n, by: cs) {
            let batch = start..<min(n, start + cs)
            let width = batch.count * p
            let dyChunk = tp + start * p
            if let dw, let cols {
                if columns == nil { g.im2col(x, batch: batch, into: cols.pointer) }
                sgemm(transA: false, transB: true, m: o, n: k, k: width, a: dyChunk, lda: total, b: cols.pointer, ldb: width,
                      beta: start == 0 ? 0 : 1, c: dw, ldc: k)
            }
            if let dx, let dcols {
                sgemm(transA: true, transB: false, m: k, n: width, k: o, a: w, lda: k, b: dyChunk, ldb: total,
                      c: dcols.pointer, ldc: width)
                g.col2im(dcols.pointer, batch: batch, into: dx)
            }
        }
    }
}

/// Calls `body` with the tensor's base address, or nil for a nil tensor.
func withOptionalPointer<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with the tensor's mutable base address, or nil for a nil tensor.
func withOptionalMutablePointer<R>(_ t: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard t != nil else { return body(nil) }
    return t!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}

/// `out[n, c, ...] += bias[c]` for a tensor viewed as [N, C, plane].
func addChannelBias(_ out: inout Tensor, _ bias: Tensor, channels: Int, plane: Int) {
    let rows = out.count / plane
    bias.withUnsafeBufferPointer { bp in
        out.withUnsafeMutableBufferPointer { yp in
            let yb = yp.baseAddress!
            parallelFor(rows, cost: plane) { range in
                for r in range {
                    let b = bp[r % channels]
                    let row = yb + r * plane
                    for i in 0..<plane { row[i] += b }
                }
            }
        }
    }
}

/// Sum of each row of a row-major [rows, width] matrix, accumulated in Double.
func rowSums(_ m: [Float], rows: Int, width: Int) -> Tensor {
    Tensor(shape: [rows]) { out in
        m.withUnsafeBufferPointer { mp in
            for r in 0..<rows {
                var s = 0.0
                for i in 0..<width { s += Double(mp[r * width + i]) }
                out[r] = Float(s)
            }
        }
    }
}
