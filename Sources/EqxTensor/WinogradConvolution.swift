import CEqxKernels
import Foundation

/// Whether stride-1 3×3 zero-padded Float32 convolutions run Winograd F(2×2, 3×3) for the forward pass
/// and the gradients: on unless `EQX_WINOGRAD=off` is set, which gives the im2col + GEMM path (the
/// direct sums), for comparisons.
nonisolated(unsafe) public var winogradConvolutionEnabled = getenv("EQX_WINOGRAD").map { String(cString: $0) != "off" } ?? true

/// Target size (floats) of one chunk's transformed inputs and products together on a thread (512 KiB:
/// stays in L2).
nonisolated(unsafe) var winogradChunkBudget = 128 << 10

/// Winograd F(2×2, 3×3) (Lavin & Gray 2016): a stride-1 3×3 convolution as 16 products [tiles, C]·[C, O],
/// one per transform point, between transformed 4×4 input tiles and transformed weights, whose results
/// are mapped back to 2×2 output tiles: 2.25× fewer multiplies than the direct method. The input gradient
/// is a convolution of the same kind; the weight gradient is a product over the tiles in the transform
/// domain. The transforms (CEqxKernels/Winograd.c) add and subtract only, so results differ from the direct
/// sum by rounding (bounded against it in `WinogradConvolutionTests`). Every thread takes a contiguous
/// share of the images in chunks whose transforms stay in cache; each image's output and input gradient
/// depend only on that image, so they do not depend on the thread count.
struct WinogradConvolution {
    let g: WindowGeometry
    let o: Int

    static let points = 16

    /// Whether this path handles the convolution (Float32 is checked by the caller).
    static func applies(_ g: WindowGeometry, outputChannels o: Int) -> Bool {
        winogradConvolutionEnabled && g.kh == 3 && g.kw == 3 && g.stride == 1 && g.padding <= 2 && (g.padding == 0 || g.mode == .zeros)
            && g.c % 8 == 0 && o % 16 == 0
    }

    /// The input gradient of a convolution this path handles, as a convolution of its own: dy [N, O, OH, OW]
    /// correlated with the weights turned by 180° and transposed ([C, O, 3, 3]), padded by 2 − padding.
    static func inputGradient(of g: WindowGeometry, outputChannels o: Int) -> WinogradConvolution? {
        guard let gd = try? WindowGeometry(op: "conv2d input gradient", input: [g.n, o, g.oh, g.ow], kernel: (3, 3), stride: 1,
                                           padding: 2 - g.padding, mode: .zeros),
              gd.oh == g.h, gd.ow == g.w, applies(gd, outputChannels: g.c) else { return nil }
        return WinogradConvolution(g: gd, o: g.c)
    }

    var tiles: Int { ((g.oh + 1) / 2) * ((g.ow + 1) / 2) }
    var threads: Int { min(ComputeThreads.count, g.n) }

    var imagesPerChunk: Int {
        let share = (g.n + threads - 1) / threads
        return max(1, min(share, winogradChunkBudget / max(1, Self.points * (g.c + o) * tiles)))
    }

    func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                 epilogue: ChannelEpilogue<Float>? = nil) {
        let c = g.c, t = threads, cs = imagesPerChunk, tn = tiles, points = Self.points
        let u = ScratchBuffer.take(points * o * c)
        eqx_winograd_weights(w, Int32(o), Int32(c), u.pointer)
        let ss = eqx_winograd_scratch_size(Int32(c), Int32(o), Int32(g.h), Int32(g.w), Int32(g.padding))
        let vs = points * c * cs * tn, ms = points * o * cs * tn
        let buffers = ScratchBuffer.take(t * (vs + ms + ss))
        let inSize = c * g.inputPlane, outSize = o * g.outputPlane
        let up = UnsafePointer(u.pointer)
        DispatchQueueConcurrent.perform(t) { ti in
            let v = buffers.pointer + ti * (vs + ms + ss), m = v + vs, scratch = m + ms
            for batch in imageChunks(ofThread: ti, threads: t, count: g.n, size: cs) {
                let ld = batch.count * tn
                for (i, s) in batch.enumerated() {
                    eqx_winograd_input(x + s * inSize, Int32(c), Int32(g.h), Int32(g.w), Int32(g.padding), v + i * tn * c, ld * c, scratch)
                }
                eqx_winograd_multiply(v, up, m, Int32(ld), Int32(c), Int32(o), ld * c, ld * o)
                for (i, s) in batch.enumerated() {
                    let ys = y + s * outSize
                    eqx_winograd_output(m + i * tn * o, ld * o, Int32(o), Int32(g.oh), Int32(g.ow), bias, ys, scratch)
                    epilogue?.apply(ys, images: 1, plane: g.outputPlane)
                }
            }
        }
    }

    /// Whether `weightGradient` handles this convolution (its products are 16 input channels wide).
    var takesWeightGradient: Bool { g.c % 16 == 0 }

    /// dW (and db, when wanted) from x and dy, in the transform domain: du_ξ = Σ over tiles of (A dy Aᵀ)_ξ ⊗
    /// (Bᵀ d B)_ξ, a product over the tiles, then dW = Gᵀ du G. Each thread sums its images' du; the partials
    /// are then summed in thread order (deterministic for a given thread count).
    func weightGradient(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                        db: UnsafeMutablePointer<Float>?) {
        let c = g.c, t = threads, cs = imagesPerChunk, tn = tiles, points = Self.points, p = g.outputPlane
        let ss = eqx_winograd_scratch_size(Int32(c), Int32(o), Int32(g.h), Int32(g.w), Int32(g.padding))
        let vs = points * c * cs * tn, gs = points * o * cs * tn, us = points * o * c
        let buffers = ScratchBuffer.take(t * (vs + gs + ss))
        let partials = ScratchBuffer.take(t * us)
        var partialB = [Double](repeating: 0, count: db == nil ? 0 : t * o)
        let inSize = c * g.inputPlane, outSize = o * p
        partialB.withUnsafeMutableBufferPointer { pb in
            let pbp = db == nil ? nil : pb.baseAddress
            DispatchQueueConcurrent.perform(t) { ti in
                let v = buffers.pointer + ti * (vs + gs + ss), gy = v + vs, scratch = gy + gs, du = partials.pointer + ti * us
                du.update(repeating: 0, count: us)
                for batch in imageChunks(ofThread: ti, threads: t, count: g.n, size: cs) {
                    let ld = batch.count * tn
                    for (i, s) in batch.enumerated() {
                        eqx_winograd_input(x + s * inSize, Int32(c), Int32(g.h), Int32(g.w), Int32(g.padding), v + i * tn * c, ld * c, scratch)
                        eqx_winograd_output_gradient(dy + s * outSize, Int32(o), Int32(g.oh), Int32(g.ow), gy + i * tn * o, ld * o, scratch)
                        if let pbp {
                            for ch in 0..<o { pbp[ti * o + ch] += blockSum(dy + s * outSize + ch * p, p) }
                        }
                    }
                    eqx_winograd_weight_products(gy, v, du, Int32(ld), Int32(c), Int32(o), ld * o, ld * c)
                }
            }
        }
        // Each thread's du [16, o, c] is an [o, 16·c] block for sumPartials.
        let total = ScratchBuffer.take(us)
        sumPartials(partials.pointer, partialB, threads: t, o: o, k: points * c, dw: total.pointer, db: db)
        eqx_winograd_weight_gradient(total.pointer, Int32(o), Int32(c), dw)
    }

    /// dx of the convolution whose input-gradient convolution this is (`inputGradient(of:outputChannels:)`),
    /// from dy and that convolution's weight [O, C, 3, 3].
    func inputGradient(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let oc = g.c, ic = o  // the original convolution's output and input channels
        let turned = ScratchBuffer.take(ic * oc * 9)
        for a in 0..<oc {
            for b in 0..<ic {
                for tap in 0..<9 { turned.pointer[(b * oc + a) * 9 + tap] = weight[(a * ic + b) * 9 + 8 - tap] }
            }
        }
        forward(dy, UnsafePointer(turned.pointer), nil, dx)
    }
}

extension WinogradConvolution {
    // Entry points for the generic conv2d, which calls them only when Scalar is Float.
    func forward<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ bias: UnsafePointer<Scalar>?,
                                       _ y: UnsafeMutablePointer<Scalar>, epilogue: ChannelEpilogue<Scalar>?) {
        forward(float32(x), float32(w), bias.map(float32), float32(y), epilogue: epilogue.map { $0 as! ChannelEpilogue<Float> })
    }

    func weightGradient<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>, dw: UnsafeMutablePointer<Scalar>,
                                              db: UnsafeMutablePointer<Scalar>?) {
        weightGradient(float32(x), float32(dy), dw: float32(dw), db: db.map(float32))
    }

    func inputGradient<Scalar: TensorScalar>(_ dy: UnsafePointer<Scalar>, weight: UnsafePointer<Scalar>, dx: UnsafeMutablePointer<Scalar>) {
        inputGradient(float32(dy), weight: float32(weight), dx: float32(dx))
    }
}
