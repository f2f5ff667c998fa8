// im2col + SGEMM plans for conv2d: one GEMM per image (large planes) or per batch chunk (small planes).

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
