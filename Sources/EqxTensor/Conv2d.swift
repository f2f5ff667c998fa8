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
    func im2col(_ x: UnsafePointer<Float>, batch: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
        let width = batch.count * outputPlane
        let (kh, kw, oh, ow, w) = (self.kh, self.kw, self.oh, self.ow, self.w)
        let plane = inputPlane, channels = c
        rowSource.withUnsafeBufferPointer { rs in
            colSource.withUnsafeBufferPointer { cs in
                parallelFor(patchSize, cost: width) { rows in
                    for r in rows {
                        let ch = r / (kh * kw), i = (r / kw) % kh, j = r % kw
                        var dst = cols + r * width
                        for s in batch {
                            let src = x + (s * channels + ch) * plane
                            for y in 0..<oh {
                                let sr = Int(rs[i * oh + y])
                                if sr < 0 {
                                    dst.update(repeating: 0, count: ow)
                                } else {
                                    let line = src + sr * w
                                    for xo in 0..<ow {
                                        let sc = Int(cs[j * ow + xo])
                                        dst[xo] = sc < 0 ? 0 : line[sc]
                                    }
                                }
                                dst += ow
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the columns `cols` back into the image gradient `dx` (the adjoint of `im2col`).
    /// Each thread owns whole channels, so the accumulation order is fixed.
    func col2im(_ cols: UnsafePointer<Float>, batch: Range<Int>, into dx: UnsafeMutablePointer<Float>) {
        let width = batch.count * outputPlane
        let (kh, kw, oh, ow, w) = (self.kh, self.kw, self.oh, self.ow, self.w)
        let plane = inputPlane, channels = c
        rowSource.withUnsafeBufferPointer { rs in
            colSource.withUnsafeBufferPointer { cs in
                parallelFor(channels, cost: width * kh * kw) { chs in
                    for ch in chs {
                        for i in 0..<kh {
                            for j in 0..<kw {
                                let r = (ch * kh + i) * kw + j
                                var src = cols + r * width
                                for s in batch {
                                    let dst = dx + (s * channels + ch) * plane
                                    for y in 0..<oh {
                                        let sr = Int(rs[i * oh + y])
                                        if sr >= 0 {
                                            let line = dst + sr * w
                                            for xo in 0..<ow {
                                                let sc = Int(cs[j * ow + xo])
                                                if sc >= 0 { line[sc] += src[xo] }
                                            }
                                        }
                                        src += ow
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Largest im2col buffer (in scalars) kept alive between forward and backward; larger convolutions
/// are processed in batch chunks and their columns recomputed in the backward pass.
nonisolated(unsafe) var im2colBudget = 32 << 20

/// 2-D cross-correlation (PyTorch `conv2d`): x [N, C, H, W], weight [O, C, KH, KW], bias [O].
/// Implemented as im2col + one SGEMM per batch chunk, forward and backward.
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
    let o = ws[0]
    if let bias, bias.shape != [o] {
        throw TensorError.shapeMismatch(op: op + " bias", expected: [o], got: bias.shape)
    }
    let g = try WindowGeometry(op: op, input: x.shape, kernel: (ws[2], ws[3]), stride: stride, padding: padding, mode: paddingMode)
    let n = g.n, p = g.outputPlane, k = g.patchSize
    let needsGrad = Gradients.isEnabled && (x.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false))
    let chunkSamples = max(1, min(n, im2colBudget / max(1, k * p)))
    let retainCols = needsGrad && weight.requiresGrad && chunkSamples == n

    var cols = [Float]()
    var out = Tensor.zeros([n, o, g.oh, g.ow])
    x.value.withUnsafeBufferPointer { xp in
        weight.value.withUnsafeBufferPointer { wp in
            out.withUnsafeMutableBufferPointer { yp in
                var colBuffer = [Float](repeating: 0, count: k * chunkSamples * p)
                var product = [Float](repeating: 0, count: o * chunkSamples * p)
                for start in Swift.stride(from: 0, to: n, by: chunkSamples) {
                    let batch = start..<min(n, start + chunkSamples)
                    let width = batch.count * p
                    colBuffer.withUnsafeMutableBufferPointer { cb in
                        g.im2col(xp.baseAddress!, batch: batch, into: cb.baseAddress!)
                        product.withUnsafeMutableBufferPointer { pb in
                            sgemm(transA: false, transB: false, m: o, n: width, k: k,
                                  a: wp.baseAddress!, lda: k, b: cb.baseAddress!, ldb: width,
                                  c: pb.baseAddress!, ldc: width)
                            // [O, batch·P] -> [batch, O, P]
                            let pr = UnsafePointer(pb.baseAddress!), yb = yp.baseAddress!
                            parallelFor(batch.count * o, cost: p) { range in
                                for idx in range {
                                    let s = idx / o, ch = idx % o
                                    let src = pr + ch * width + s * p
                                    let dst = yb + ((batch.lowerBound + s) * o + ch) * p
                                    dst.update(from: src, count: p)
                                }
                            }
                        }
                    }
                }
                if retainCols { cols = colBuffer }
            }
        }
    }
    if let bias { addChannelBias(&out, bias.value, channels: o, plane: p) }

    let xv = x.value, wv = weight.value
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return Variable.make(out, inputs: inputs) { dy in
        // dy [N, O, P] -> dyT [O, N·P] so both gradient GEMMs see the whole batch at once.
        let total = n * p
        var dyT = [Float](repeating: 0, count: o * total)
        dy.withUnsafeBufferPointer { dp in
            dyT.withUnsafeMutableBufferPointer { tp in
                let tb = tp.baseAddress!, db = dp.baseAddress!
                parallelFor(o, cost: total) { range in
                    for ch in range {
                        for s in 0..<n {
                            (tb + ch * total + s * p).update(from: db + (s * o + ch) * p, count: p)
                        }
                    }
                }
            }
        }
        var dx: Tensor? = needX ? Tensor.zeros(xv.shape) : nil
        var dw: Tensor? = needW ? Tensor.zeros(wv.shape) : nil
        var colBuffer = retainCols ? cols : [Float](repeating: 0, count: (needW ? k * chunkSamples * p : 0))
        var dcols = [Float](repeating: 0, count: needX ? k * chunkSamples * p : 0)
        xv.withUnsafeBufferPointer { xp in
            wv.withUnsafeBufferPointer { wp in
                dyT.withUnsafeBufferPointer { tp in
                    for start in Swift.stride(from: 0, to: n, by: chunkSamples) {
                        let batch = start..<min(n, start + chunkSamples)
                        let width = batch.count * p
                        let dyChunk = tp.baseAddress! + start * p
                        if needW {
                            colBuffer.withUnsafeMutableBufferPointer { cb in
                                if !retainCols { g.im2col(xp.baseAddress!, batch: batch, into: cb.baseAddress!) }
                                dw!.withUnsafeMutableBufferPointer { dwp in
                                    sgemm(transA: false, transB: true, m: o, n: k, k: width,
                                          a: dyChunk, lda: total, b: cb.baseAddress!, ldb: width,
                                          beta: start == 0 ? 0 : 1, c: dwp.baseAddress!, ldc: k)
                                }
                            }
                        }
                        if needX {
                            dcols.withUnsafeMutableBufferPointer { dc in
                                sgemm(transA: true, transB: false, m: k, n: width, k: o,
                                      a: wp.baseAddress!, lda: k, b: dyChunk, ldb: total,
                                      c: dc.baseAddress!, ldc: width)
                                dx!.withUnsafeMutableBufferPointer { dxp in
                                    g.col2im(dc.baseAddress!, batch: batch, into: dxp.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
        }
        var grads: [Tensor?] = [dx, dw]
        if bias != nil {
            grads.append(needB ? rowSums(dyT, rows: o, width: total) : nil)
        }
        return grads
    }
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
