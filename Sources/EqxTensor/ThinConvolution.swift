import CEqxKernels

/// Convolutions with at most this many taps per output (C·KH·KW) run the direct kernels of
/// `ThinConvolution`; 27 covers the first layer of an MNIST or CIFAR network (9 or 27 taps), where im2col +
/// GEMM multiplies a [O, K] matrix with a tiny K. Off (0) by default: interleaved benches measured it at
/// 0.96–1.11× of the GEMM path, too little to change the rounding of every first layer (and so every
/// number the docs quote from the examples).
nonisolated(unsafe) public var thinConvolutionMaximumTaps = 0

/// Direct stride-1 convolution for few-tap layers: every thread takes a contiguous share of the images;
/// the weight gradient is summed per thread and then over threads in thread order (deterministic for a
/// given thread count).
struct ThinConvolution {
    let g: WindowGeometry
    let o: Int

    /// Whether the direct kernels handle this convolution.
    static func applies(_ g: WindowGeometry) -> Bool {
        g.stride == 1 && (g.padding == 0 || g.mode == .zeros) && g.c * g.kh * g.kw <= min(thinConvolutionMaximumTaps, 64)
    }

    var taps: Int { g.c * g.kh * g.kw }
    var threads: Int { min(ComputeThreads.count, g.n) }
    var planeSize: Int { eqx_thin_conv_plane_size(Int32(g.c), Int32(g.h), Int32(g.w), Int32(g.kh), Int32(g.kw), Int32(g.padding)) }

    func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        let t = threads, ps = planeSize
        let planes = ScratchBuffer.take(t * ps)
        let inSize = g.c * g.inputPlane, outSize = o * g.outputPlane
        DispatchQueueConcurrent.perform(t) { ti in
            for s in chunk(ti, of: t, count: g.n) {
                eqx_thin_conv_forward(x + s * inSize, Int32(g.c), Int32(g.h), Int32(g.w), Int32(g.kh), Int32(g.kw), Int32(g.padding),
                                      w, bias, Int32(o), y + s * outSize, planes.pointer + ti * ps)
            }
        }
    }

    /// dW and db (either may be nil); dx is left to the GEMM path.
    func backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
        let t = threads, ps = planeSize, k = taps, p = g.outputPlane
        let planes = ScratchBuffer.take(dw == nil ? 0 : t * ps)
        let partialW = ScratchBuffer.take(dw == nil ? 0 : t * o * k)
        var partialB = [Double](repeating: 0, count: db == nil ? 0 : t * o)
        let inSize = g.c * g.inputPlane, outSize = o * p
        partialB.withUnsafeMutableBufferPointer { pb in
            // An empty array may still have a base address: only a wanted db gets one.
            let pbp = db == nil ? nil : pb.baseAddress
            DispatchQueueConcurrent.perform(t) { ti in
                let mine = partialW.pointer + ti * o * k
                if dw != nil { mine.update(repeating: 0, count: o * k) }
                for s in chunk(ti, of: t, count: g.n) {
                    if dw != nil {
                        eqx_thin_conv_weight_gradient(x + s * inSize, Int32(g.c), Int32(g.h), Int32(g.w), Int32(g.kh), Int32(g.kw),
                                                      Int32(g.padding), dy + s * outSize, Int32(o), mine, planes.pointer + ti * ps)
                    }
                    if let pbp {
                        for ch in 0..<o { pbp[ti * o + ch] += blockSum(dy + s * outSize + ch * p, p) }
                    }
                }
            }
        }
        sumPartials(partialW.pointer, partialB, threads: t, o: o, k: k, dw: dw, db: db)
    }
}

extension ThinConvolution {
    // Entry points for the generic conv2d, which calls them only when Scalar is Float.
    func forward<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ bias: UnsafePointer<Scalar>?,
                                       _ y: UnsafeMutablePointer<Scalar>) {
        forward(float32(x), float32(w), bias.map(float32), float32(y))
    }

    func backward<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ dy: UnsafePointer<Scalar>, dw: UnsafeMutablePointer<Scalar>?,
                                        db: UnsafeMutablePointer<Scalar>?) {
        backward(float32(x), float32(dy), dw: dw.map(float32), db: db.map(float32))
    }
}
