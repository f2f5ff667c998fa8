/// Max over each kernel×kernel window (PyTorch `max_pool2d`, no padding, floor mode); stride defaults to kernel.
/// Gradient goes to the first maximal element of each window.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func maxPool2d<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, kernel: Int, stride: Int? = nil) throws -> VariableOf<Scalar> {
    let g = try WindowGeometry(op: "maxPool2d", input: x.shape, kernel: (kernel, kernel), stride: stride ?? kernel, padding: 0, mode: .zeros)
    let planes = g.n * g.c, ip = g.inputPlane, op = g.outputPlane
    // Winners are only recorded when a backward pass may need them.
    let recordsWinners = Gradients.isEnabled && x.requiresGrad
    var argmax = [Int32](repeating: 0, count: recordsWinners ? planes * op : 0)
    var out = TensorOf<Scalar>(shape: [g.n, g.c, g.oh, g.ow]) { _ in }  // every element is written below
    x.value.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { yp in
            argmax.withUnsafeMutableBufferPointer { ap in
                let xb = xp.baseAddress!, yb = yp.baseAddress!, ab = ap.baseAddress
                let (oh, ow, w, st) = (g.oh, g.ow, g.w, g.stride)
                parallelFor(planes, cost: ip) { range in
                    for plane in range {
                        let src = xb + plane * ip
                        let dst = yb + plane * op, arg = recordsWinners ? ab! + plane * op : nil
                        if kernel == 2 && arg == nil {
                            // Inference: the same maxima in the same order, without tracking winners.
                            for oy in 0..<oh {
                                let r0 = src + oy * st * w, r1 = r0 + w, d = dst + oy * ow
                                for ox in 0..<ow {
                                    let b = ox * st
                                    d[ox] = max(r1[b + 1], max(r1[b], max(r0[b + 1], r0[b])))
                                }
                            }
                            continue
                        }
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                let base = oy * st * w + ox * st
                                var best = base
                                var bestValue = src[best]
                                if kernel == 2 {
                                    // Selects, not branches: the winner of a window is unpredictable.
                                    let i1 = base + 1, i2 = base + w, i3 = base + w + 1
                                    let v1 = src[i1], v2 = src[i2], v3 = src[i3]
                                    best = v1 > bestValue ? i1 : best; bestValue = max(v1, bestValue)
                                    best = v2 > bestValue ? i2 : best; bestValue = max(v2, bestValue)
                                    best = v3 > bestValue ? i3 : best; bestValue = max(v3, bestValue)
                                } else {
                                    for i in 0..<kernel {
                                        for j in 0..<kernel {
                                            let idx = base + i * w + j
                                            if src[idx] > bestValue { bestValue = src[idx]; best = idx }
                                        }
                                    }
                                }
                                dst[oy * ow + ox] = bestValue
                                arg?[oy * ow + ox] = Int32(best)
                            }
                        }
                    }
                }
            }
        }
    }
    let xShape = x.shape
    return VariableOf<Scalar>.make(out, inputs: [x]) { dy in
        if kernel == 2 && g.stride == 2 {
            let dx = dy.withUnsafeBufferPointer { gp in
                argmax.withUnsafeBufferPointer { ap in
                    let gb = gp.baseAddress!, ab = ap.baseAddress!
                    return nonOverlappingPoolGradient(xShape, g) { (dst: UnsafeMutablePointer<Scalar>, plane: Int) in
                        let src = gb + plane * op, arg = ab + plane * op
                        for oy in 0..<g.oh {
                            for ox in 0..<g.ow {
                                // Stores, not branches: the winner of a window is unpredictable.
                                let k = oy * g.ow + ox, base = 2 * oy * g.w + 2 * ox
                                dst[base] = 0; dst[base + 1] = 0; dst[base + g.w] = 0; dst[base + g.w + 1] = 0
                                dst[Int(arg[k])] = 0 + src[k]
                            }
                        }
                    }
                }
            }
            return [dx]
        }
        var dx = TensorOf<Scalar>.zerosInParallel(xShape)
        dy.withUnsafeBufferPointer { gp in
            dx.withUnsafeMutableBufferPointer { dp in
                argmax.withUnsafeBufferPointer { ap in
                    let gb = gp.baseAddress!, db = dp.baseAddress!, ab = ap.baseAddress!
                    parallelFor(planes, cost: op) { range in
                        for plane in range {
                            for k in 0..<op { db[plane * ip + Int(ab[plane * op + k])] += gb[plane * op + k] }
                        }
                    }
                }
            }
        }
        return [dx]
    }
}

/// Mean over each kernel×kernel window (PyTorch `avg_pool2d`, no padding); stride defaults to kernel.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func avgPool2d<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, kernel: Int, stride: Int? = nil) throws -> VariableOf<Scalar> {
    let g = try WindowGeometry(op: "avgPool2d", input: x.shape, kernel: (kernel, kernel), stride: stride ?? kernel, padding: 0, mode: .zeros)
    let planes = g.n * g.c, ip = g.inputPlane, op = g.outputPlane
    let norm = 1 / Scalar(kernel * kernel)
    var out = TensorOf<Scalar>(shape: [g.n, g.c, g.oh, g.ow]) { _ in }  // every element is written below
    x.value.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { yp in
            let xb = xp.baseAddress!, yb = yp.baseAddress!
            parallelFor(planes, cost: ip) { range in
                for plane in range {
                    let src = xb + plane * ip
                    if kernel == 2 && g.stride == 2 {
                        // The usual 2×2 pool as straight row loops (same sums in the same order).
                        for oy in 0..<g.oh {
                            let r0 = src + 2 * oy * g.w, r1 = r0 + g.w, dst = yb + plane * op + oy * g.ow
                            for ox in 0..<g.ow { dst[ox] = (((r0[2 * ox] + r0[2 * ox + 1]) + r1[2 * ox]) + r1[2 * ox + 1]) * norm }
                        }
                        continue
                    }
                    for oy in 0..<g.oh {
                        for ox in 0..<g.ow {
                            var s: Scalar = 0
                            for i in 0..<kernel {
                                for j in 0..<kernel { s += src[(oy * g.stride + i) * g.w + ox * g.stride + j] }
                            }
                            yb[plane * op + oy * g.ow + ox] = s * norm
                        }
                    }
                }
            }
        }
    }
    let xShape = x.shape
    return VariableOf<Scalar>.make(out, inputs: [x]) { dy in
        if kernel == 2 && g.stride == 2 {
            let dx = dy.withUnsafeBufferPointer { gp in
                let gb = gp.baseAddress!
                return nonOverlappingPoolGradient(xShape, g) { (dst: UnsafeMutablePointer<Scalar>, plane: Int) in
                    for oy in 0..<g.oh {
                        let r0 = dst + 2 * oy * g.w, r1 = r0 + g.w, src = gb + plane * op + oy * g.ow
                        for ox in 0..<g.ow {
                            let v = 0 + src[ox] * norm
                            r0[2 * ox] = v; r0[2 * ox + 1] = v; r1[2 * ox] = v; r1[2 * ox + 1] = v
                        }
                    }
                }
            }
            return [dx]
        }
        var dx = TensorOf<Scalar>.zerosInParallel(xShape)
        dy.withUnsafeBufferPointer { gp in
            dx.withUnsafeMutableBufferPointer { dp in
                let gb = gp.baseAddress!, db = dp.baseAddress!
                parallelFor(planes, cost: ip) { range in
                    for plane in range {
                        let dst = db + plane * ip
                        for oy in 0..<g.oh {
                            for ox in 0..<g.ow {
                                let v = gb[plane * op + oy * g.ow + ox] * norm
                                for i in 0..<kernel {
                                    for j in 0..<kernel { dst[(oy * g.stride + i) * g.w + ox * g.stride + j] += v }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [dx]
    }
}

/// The input gradient of a 2×2 stride-2 pool, whose windows do not overlap: `writeWindows(dst, plane)`
/// writes every element of the plane's windows once, as 0 + value (what zeroing and then adding gives),
/// instead of a zeroing pass and a read-modify-write one; an odd last row or column, in no window, is 0.
private func nonOverlappingPoolGradient<Scalar: TensorScalar>(_ shape: [Int], _ g: WindowGeometry,
                                                              writeWindows: (UnsafeMutablePointer<Scalar>, Int) -> Void) -> TensorOf<Scalar> {
    let ip = g.inputPlane
    return TensorOf<Scalar>(shape: shape) { dp in
        guard let db = dp.baseAddress else { return }
        parallelFor(g.n * g.c, cost: ip) { range in
            for plane in range {
                let dst = db + plane * ip
                if 2 * g.oh < g.h || 2 * g.ow < g.w { dst.update(repeating: 0, count: ip) }
                writeWindows(dst, plane)
            }
        }
    }
}

/// Mean over H and W: [N, C, H, W] → [N, C].
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func globalAvgPool<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) throws -> VariableOf<Scalar> {
    guard x.shape.count == 4 else { throw TensorError.rankMismatch(op: "globalAvgPool", expected: "input [N, C, H, W]", got: x.shape) }
    let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    guard plane > 0 else { throw TensorError.invalidArgument(op: "globalAvgPool", message: "empty image in \(x.shape)") }
    let out = TensorOf<Scalar>(shape: [n, c]) { out in
        x.value.withUnsafeBufferPointer { xp in
            for r in 0..<(n * c) {
                var s = 0.0
                for i in 0..<plane { s += Double(xp[r * plane + i]) }
                out[r] = Scalar(s / Double(plane))
            }
        }
    }
    let xShape = x.shape
    return VariableOf<Scalar>.make(out, inputs: [x]) { dy in
        [TensorOf<Scalar>(shape: xShape) { dx in
            dy.withUnsafeBufferPointer { gp in
                for r in 0..<(n * c) {
                    let v = gp[r] / Scalar(plane)
                    for i in 0..<plane { dx[r * plane + i] = v }
                }
            }
        }]
    }
}
