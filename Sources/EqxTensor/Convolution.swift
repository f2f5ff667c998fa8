// im2col + SGEMM plans for conv2d: per-thread chunks of images (cache-resident columns) or one GEMM
// over the whole batch split across threads.

/// The GEMM plans of one convolution. Pointers handed to these methods stay valid for the call
/// (they come from the enclosing `withUnsafe…` scopes; `dx`/`dw` point into tensors owned by the caller).
struct Convolution<Scalar: TensorScalar> {
    let g: WindowGeometry
    let o: Int
    let patches: PatchGather<Scalar>

    init(g: WindowGeometry, o: Int) {
        self.g = g
        self.o = o
        patches = PatchGather(g)
    }

    var n: Int { g.n }
    var p: Int { g.outputPlane }
    var k: Int { g.patchSize }
    var threads: Int { min(ComputeThreads.count, g.n) }

    /// Images per GEMM on the per-thread path: enough columns for an efficient GEMM, while one
    /// chunk's im2col matrix stays near `threadChunkBudget` scalars (cache-resident), and no more
    /// than one thread's share of the batch.
    var imagesPerChunk: Int {
        let share = (n + threads - 1) / threads
        let byBudget = threadChunkBudget / max(1, k * p)
        let byWidth = (threadChunkMinimumColumns + p - 1) / p
        return max(1, min(share, max(byBudget, byWidth)))
    }

    /// The images of thread `ti`, in chunks of `imagesPerChunk`.
    func chunks(ofThread ti: Int) -> [Range<Int>] { imageChunks(ofThread: ti, threads: threads, count: n, size: imagesPerChunk) }

    /// Per-thread path: each thread takes a contiguous share of the images and runs im2col + GEMM
    /// on small chunks of them, so the columns a GEMM reads are still in cache. A chunk of one image
    /// writes its output directly; larger chunks go through a small product buffer.
    func forwardPerThread(_ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ bias: UnsafePointer<Scalar>?, _ y: UnsafeMutablePointer<Scalar>,
                          epilogue: ChannelEpilogue<Scalar>? = nil) {
        let t = threads, cs = imagesPerChunk
        let cols = ScratchBufferOf<Scalar>.take(t * k * cs * p)
        let products = ScratchBufferOf<Scalar>.take(cs > 1 ? t * o * cs * p : 0)
        DispatchQueueConcurrent.perform(t) { ti in
            let mine = cols.pointer + ti * k * cs * p, product = products.pointer + ti * o * cs * p
            for batch in chunks(ofThread: ti) {
                let width = batch.count * p
                patches.im2col(x, batch: batch, into: mine, serial: true)
                if batch.count == 1 {
                    let ys = y + batch.lowerBound * o * p
                    if let bias {
                        for ch in 0..<o { (ys + ch * p).update(repeating: bias[ch], count: p) }
                    }
                    gemmSerial(transA: false, transB: false, m: o, n: p, k: k, alpha: 1, a: w, lda: k, b: mine, ldb: p,
                                beta: bias == nil ? 0 : 1, c: ys, ldc: p)
                    epilogue?.apply(ys, images: 1, plane: p)
                    continue
                }
                gemmSerial(transA: false, transB: false, m: o, n: width, k: k, alpha: 1, a: w, lda: k, b: mine, ldb: width,
                            beta: 0, c: product, ldc: width)
                scatter(product, batch: batch, bias: bias, into: y)
                epilogue?.apply(y + batch.lowerBound * o * p, images: batch.count, plane: p)
            }
        }
    }

    /// Writes a chunk's GEMM product [O, chunk·P] to y [N, O, P] at the chunk's images, adding the bias.
    func scatter(_ product: UnsafePointer<Scalar>, batch: Range<Int>, bias: UnsafePointer<Scalar>?, into y: UnsafeMutablePointer<Scalar>) {
        let width = batch.count * p
        for (i, s) in batch.enumerated() {
            for ch in 0..<o {
                let src = product + ch * width + i * p, dst = y + (s * o + ch) * p
                if let bias {
                    let b = bias[ch]
                    for q in 0..<p { dst[q] = src[q] + b }
                } else {
                    copyRun(dst, src, p)
                }
            }
        }
    }

    /// Per-thread backward: per chunk, dy is gathered to [O, chunk·P], dW accumulates dy·colsᵀ in a
    /// per-thread partial (summed in thread order), and dcols = Wᵀ·dy is folded back by col2im.
    func backwardPerThread(_ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>,
                           dx: UnsafeMutablePointer<Scalar>?, dw: UnsafeMutablePointer<Scalar>?, db: UnsafeMutablePointer<Scalar>?) {
        let t = threads, cs = imagesPerChunk
        let cols = ScratchBufferOf<Scalar>.take(dw == nil ? 0 : t * k * cs * p)
        let dcols = ScratchBufferOf<Scalar>.take(dx == nil ? 0 : t * k * cs * p)
        let dyChunks = ScratchBufferOf<Scalar>.take(cs > 1 ? t * o * cs * p : 0)
        let partialW = ScratchBufferOf<Scalar>.take(dw == nil ? 0 : t * o * k)
        var partialB = [Double](repeating: 0, count: db == nil ? 0 : t * o)
        partialB.withUnsafeMutableBufferPointer { pb in
            let pbp = pb.baseAddress
            DispatchQueueConcurrent.perform(t) { ti in
                var first = true
                for batch in chunks(ofThread: ti) {
                    let width = batch.count * p
                    let dyc: UnsafePointer<Scalar>
                    if batch.count == 1 {
                        dyc = dy + batch.lowerBound * o * p
                    } else {
                        let gathered = dyChunks.pointer + ti * o * cs * p
                        for (i, s) in batch.enumerated() {
                            for ch in 0..<o { copyRun(gathered + ch * width + i * p, dy + (s * o + ch) * p, p) }
                        }
                        dyc = UnsafePointer(gathered)
                    }
                    if dw != nil {
                        let mine = cols.pointer + ti * k * cs * p
                        patches.im2col(x, batch: batch, into: mine, serial: true)
                        gemmSerial(transA: false, transB: true, m: o, n: k, k: width, alpha: 1, a: dyc, lda: width, b: mine, ldb: width,
                                    beta: first ? 0 : 1, c: partialW.pointer + ti * o * k, ldc: k)
                    }
                    if let dx {
                        let mine = dcols.pointer + ti * k * cs * p
                        gemmSerial(transA: true, transB: false, m: k, n: width, k: o, alpha: 1, a: w, lda: k, b: dyc, ldb: width,
                                    beta: 0, c: mine, ldc: width)
                        patches.col2im(mine, batch: batch, into: dx, serial: true)
                    }
                    if db != nil, let pbp {
                        for ch in 0..<o {
                            var acc = pbp[ti * o + ch]
                            for i in 0..<batch.count { acc += blockSum(dyc + ch * width + i * p, p) }
                            pbp[ti * o + ch] = acc
                        }
                    }
                    first = false
                }
            }
        }
        sumPartials(partialW.pointer, partialB, threads: t, o: o, k: k, dw: dw, db: db)
    }

    var chunkSamples: Int { max(1, min(n, im2colBudget / max(1, k * p))) }

    /// All images (in chunks bounded by `im2colBudget`) in one GEMM each: [O, K]·[K, chunk·P], then
    /// reordered to [chunk, O, P]. Returns the columns when they cover the whole batch and are wanted.
    func forwardBatched(_ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ bias: UnsafePointer<Scalar>?,
                        _ y: UnsafeMutablePointer<Scalar>, retainColumns: Bool) -> ScratchBufferOf<Scalar>? {
        let cs = chunkSamples
        let cols = ScratchBufferOf<Scalar>.take(k * cs * p)
        let product = ScratchBufferOf<Scalar>.take(o * cs * p)
        for start in Swift.stride(from: 0, to: n, by: cs) {
            let batch = start..<min(n, start + cs)
            let width = batch.count * p
            patches.im2col(x, batch: batch, into: cols.pointer)
            gemm(transA: false, transB: false, m: o, n: width, k: k, a: w, lda: k, b: cols.pointer, ldb: width,
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
    func backwardBatched(_ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>, columns: ScratchBufferOf<Scalar>?,
                         dx: UnsafeMutablePointer<Scalar>?, dw: UnsafeMutablePointer<Scalar>?, db: UnsafeMutablePointer<Scalar>?) {
        let total = n * p
        let dyT = ScratchBufferOf<Scalar>.take(o * total)
        let tp = dyT.pointer
        parallelFor(o, cost: total) { range in
            for ch in range {
                for s in 0..<n { (tp + ch * total + s * p).update(from: dy + (s * o + ch) * p, count: p) }
                if let db {
                    var acc = 0.0
                    for i in 0..<total { acc += Double(tp[ch * total + i]) }
                    db[ch] = Scalar(acc)
                }
            }
        }
        let cs = chunkSamples
        let cols = dw == nil ? nil : (columns ?? ScratchBufferOf<Scalar>.take(k * cs * p))
        let dcols = dx == nil ? nil : ScratchBufferOf<Scalar>.take(k * cs * p)
        for start in Swift.stride(from: 0, to: n, by: cs) {
            let batch = start..<min(n, start + cs)
            let width = batch.count * p
            let dyChunk = tp + start * p
            if let dw, let cols {
                if columns == nil { patches.im2col(x, batch: batch, into: cols.pointer) }
                gemm(transA: false, transB: true, m: o, n: k, k: width, a: dyChunk, lda: total, b: cols.pointer, ldb: width,
                      beta: start == 0 ? 0 : 1, c: dw, ldc: k)
            }
            if let dx, let dcols {
                gemm(transA: true, transB: false, m: k, n: width, k: o, a: w, lda: k, b: dyChunk, ldb: total,
                      c: dcols.pointer, ldc: width)
                patches.col2im(dcols.pointer, batch: batch, into: dx)
            }
        }
    }
}

/// dw [O, K] = Σ over threads of the per-thread partials [threads, O, K], and db [O] = Σ over threads of
/// partialB [threads, O], both in thread order (deterministic for a given thread count).
func sumPartials<Scalar: TensorScalar>(_ partialW: UnsafePointer<Scalar>, _ partialB: [Double], threads t: Int, o: Int, k: Int,
                 dw: UnsafeMutablePointer<Scalar>?, db: UnsafeMutablePointer<Scalar>?) {
    if let dw {
        dw.update(from: partialW, count: o * k)
        for ti in 1..<max(t, 1) {
            let part = partialW + ti * o * k
            for i in 0..<(o * k) { dw[i] += part[i] }
        }
    }
    if let db {
        for ch in 0..<o {
            var acc = 0.0
            for ti in 0..<t { acc += partialB[ti * o + ch] }
            db[ch] = Scalar(acc)
        }
    }
}

/// Thread `ti`'s contiguous share of `count` images, in chunks of at most `size`.
func imageChunks(ofThread ti: Int, threads: Int, count: Int, size: Int) -> [Range<Int>] {
    let mine = chunk(ti, of: threads, count: count)
    return Swift.stride(from: mine.lowerBound, to: mine.upperBound, by: size).map { $0..<min(mine.upperBound, $0 + size) }
}
