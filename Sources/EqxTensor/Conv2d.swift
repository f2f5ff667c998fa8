/// Largest im2col buffer (in scalars) of the batched path; larger convolutions are processed in
/// batch chunks.
nonisolated(unsafe) var im2colBudget = 32 << 20

/// Output planes at least this large use the per-thread path (each thread runs im2col + GEMM on
/// small chunks of its images; nothing is retained for backward) when there is at least one image per
/// thread; otherwise all images go into one GEMM split across threads. Measured on VGG11/4 (2 cores):
/// the per-thread path is 10% faster to train and 20% faster in inference at every plane size.
nonisolated(unsafe) var perThreadMinimumPlane = 1

/// Target size (scalars) of one chunk's im2col matrix on the per-thread path (128 KiB: stays in L2).
nonisolated(unsafe) var threadChunkBudget = 32 << 10

/// Fewest GEMM columns (images × output pixels) per chunk on the per-thread path.
nonisolated(unsafe) var threadChunkMinimumColumns = 256

/// 2-D cross-correlation (PyTorch `conv2d`): x [N, C, H, W], weight [O, C, KH, KW], bias [O].
/// Implemented as im2col + SGEMM, forward and backward; stride-1 3×3 zero-padded Float32 layers with channel
/// blocks run their forward pass and gradients as Winograd F(2×2, 3×3) instead (`WinogradConvolution`).
/// An `epilogue` (inference only: no gradient may be wanted) maps each output channel as its chunk is
/// written, e.g. a following eval-mode batch norm.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func conv2d<Scalar: TensorScalar>(
    _ x: VariableOf<Scalar>, weight: VariableOf<Scalar>, bias: VariableOf<Scalar>? = nil,
    stride: Int = 1, padding: Int = 0, paddingMode: PaddingMode = .zeros, epilogue: ChannelEpilogue<Scalar>? = nil
) throws -> VariableOf<Scalar> {
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
    let conv = Convolution<Scalar>(g: g, o: ws[0])
    if g.n == 0 {
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return VariableOf<Scalar>.make(.zeros([0, ws[0], g.oh, g.ow]), inputs: inputs) { _ in
            [TensorOf<Scalar>.zeros(x.shape), TensorOf<Scalar>.zeros(ws)] + (bias.map { [TensorOf<Scalar>.zeros($0.shape)] } ?? [])
        }
    }
    let needsGrad = Gradients.isEnabled && (x.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false))
    if let epilogue {
        guard !needsGrad else { throw TensorError.invalidArgument(op: op, message: "a fused epilogue is for inference only (no gradients)") }
        guard epilogue.channels == ws[0] else { throw TensorError.shapeMismatch(op: op + " epilogue", expected: [ws[0]], got: [epilogue.channels]) }
    }
    let perThread = g.outputPlane >= perThreadMinimumPlane && g.n >= ComputeThreads.count
    // The direct kernels (CEqxKernels) are Float32 only; float64 always takes the GEMM path.
    let thin = Scalar.self == Float.self && ThinConvolution.applies(g) ? ThinConvolution(g: g, o: ws[0]) : nil
    let winograd = Scalar.self == Float.self && thin == nil && WinogradConvolution.applies(g, outputChannels: ws[0])
        ? WinogradConvolution(g: g, o: ws[0]) : nil
    var retained: ScratchBufferOf<Scalar>? = nil
    var out = TensorOf<Scalar>(shape: [g.n, ws[0], g.oh, g.ow]) { _ in }
    x.value.withUnsafeBufferPointer { xp in
        weight.value.withUnsafeBufferPointer { wp in
            withOptionalPointer(bias?.value) { bp in
                out.withUnsafeMutableBufferPointer { yp in
                    if let winograd {
                        winograd.forward(xp.baseAddress!, wp.baseAddress!, bp, yp.baseAddress!, epilogue: epilogue)
                        return
                    }
                    if perThread && thin == nil {
                        conv.forwardPerThread(xp.baseAddress!, wp.baseAddress!, bp, yp.baseAddress!, epilogue: epilogue)
                        return
                    }
                    if let thin {
                        thin.forward(xp.baseAddress!, wp.baseAddress!, bp, yp.baseAddress!)
                    } else {
                        retained = conv.forwardBatched(xp.baseAddress!, wp.baseAddress!, bp, yp.baseAddress!,
                                                       retainColumns: needsGrad && weight.requiresGrad)
                    }
                    if let epilogue {
                        let yb = yp.baseAddress!, plane = g.outputPlane
                        parallelFor(g.n, cost: ws[0] * plane) { r in epilogue.apply(yb + r.lowerBound * ws[0] * plane, images: r.count, plane: plane) }
                    }
                }
            }
        }
    }

    let xv = x.value, wv = weight.value
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return VariableOf<Scalar>.make(out, inputs: inputs) { dy in
        var dx: TensorOf<Scalar>? = needX ? TensorOf<Scalar>(shape: xv.shape) { _ in } : nil  // col2im writes every plane
        var dw: TensorOf<Scalar>? = needW ? TensorOf<Scalar>(shape: wv.shape) { _ in } : nil
        var db = [Scalar](repeating: 0, count: conv.o)
        xv.withUnsafeBufferPointer { xp in
            wv.withUnsafeBufferPointer { wp in
                dy.withUnsafeBufferPointer { gp in
                    withOptionalMutablePointer(&dx) { dxp in
                        withOptionalMutablePointer(&dw) { dwp in
                            db.withUnsafeMutableBufferPointer { dbp in
                                let dbPointer = needB ? dbp.baseAddress! : nil
                                if let thin {
                                    thin.backward(xp.baseAddress!, gp.baseAddress!, dw: dwp, db: dbPointer)
                                    if let dxp {
                                        conv.backwardPerThread(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, dx: dxp, dw: nil, db: nil)
                                    }
                                } else if let winograd {
                                    if let dwp, winograd.takesWeightGradient {
                                        winograd.weightGradient(xp.baseAddress!, gp.baseAddress!, dw: dwp, db: dbPointer)
                                    } else if dwp != nil || dbPointer != nil {
                                        conv.backwardPerThread(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, dx: nil, dw: dwp, db: dbPointer)
                                    }
                                    if let dxp {
                                        if let dual = WinogradConvolution.inputGradient(of: winograd.g, outputChannels: winograd.o) {
                                            dual.inputGradient(gp.baseAddress!, weight: wp.baseAddress!, dx: dxp)
                                        } else {
                                            conv.backwardPerThread(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, dx: dxp, dw: nil, db: nil)
                                        }
                                    }
                                } else if perThread {
                                    conv.backwardPerThread(xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, dx: dxp, dw: dwp, db: dbPointer)
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
        var grads: [TensorOf<Scalar>?] = [dx, dw]
        if bias != nil { grads.append(needB ? TensorOf<Scalar>(db) : nil) }
        return grads
    }
}

/// Calls `body` with the tensor's base address, or nil for a nil tensor.
func withOptionalPointer<Scalar: TensorScalar, R>(_ t: TensorOf<Scalar>?, _ body: (UnsafePointer<Scalar>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with the tensor's mutable base address, or nil for a nil tensor.
func withOptionalMutablePointer<Scalar: TensorScalar, R>(_ t: inout TensorOf<Scalar>?, _ body: (UnsafeMutablePointer<Scalar>?) -> R) -> R {
    guard t != nil else { return body(nil) }
    return t!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
