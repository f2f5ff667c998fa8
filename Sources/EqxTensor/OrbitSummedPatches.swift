// The patch matrix of a conv whose kernel taps are tied over orbits, summed over each orbit as it is
// gathered: [C·R, …] rows instead of im2col's [C·KH·KW, …].

extension PatchGather {
    /// Row (channel, r) of `tied` ([C·R, batch.count·P]) is Σ_{t ∈ orbit r} of row (channel, t) of
    /// `im2col`'s, summed in tap order (so equal to im2col followed by summing rows, bit for bit).
    func orbitSummedIm2col(_ x: UnsafePointer<Scalar>, batch: Range<Int>, orbits: TapOrbits, into tied: UnsafeMutablePointer<Scalar>) {
        let p = g.outputPlane, width = batch.count * p, c = g.c, r = orbits.count
        let plane = UnsafeMutablePointer<Scalar>.allocate(capacity: planeSize)
        defer { plane.deallocate() }
        plane.initialize(repeating: 0, count: planeSize)
        // Stride 1: each orbit's output row is one pass of vector sums over its taps' source rows.
        let rowSums = g.stride == 1
        let (sources, starts) = orbitTapSources(orbits, rowStride: planeW)
        var seen = [Bool](repeating: false, count: r)
        sources.withUnsafeBufferPointer { src in
            for s in 0..<batch.count {
                for ch in 0..<c {
                    fill(plane, from: x + ((batch.lowerBound + s) * c + ch) * g.inputPlane)
                    if rowSums {
                        for q in 0..<r {
                            sumRows(of: plane, rowStride: planeW, sources: src, from: starts[q], to: starts[q + 1],
                                    into: tied + (ch * r + q) * width + s * p, rows: g.oh, width: g.ow)
                        }
                        continue
                    }
                    for q in 0..<r { seen[q] = false }
                    for t in 0..<kernelOffsets {
                        let q = orbits.orbit[t], dst = tied + (ch * r + q) * width + s * p
                        if seen[q] { gather(t, from: plane, into: dst, adding: true) } else { gather(t, from: plane, into: dst); seen[q] = true }
                    }
                }
            }
        }
    }

    /// The adjoint of `orbitSummedIm2col`: every tap of an orbit receives the orbit's row of `tied`.
    /// *Writes* the planes of `dx` of samples `batch`; each pixel's contributions are summed in tap
    /// order from zero, as `col2im` sums them.
    func orbitSummedCol2im(_ tied: UnsafePointer<Scalar>, batch: Range<Int>, orbits: TapOrbits, into dx: UnsafeMutablePointer<Scalar>) {
        if g.stride == 1, wrapSource.isEmpty {
            orbitSummedTransposedGather(tied, batch: batch, orbits: orbits, into: dx)
        } else {
            foldColumns(tied, rowsPerChannel: orbits.count, rowOfTap: orbits.orbit, batch: batch, into: dx, serial: true)
        }
    }

    /// Stride 1, zero padding: dx(y, x) = Σ_t tied_{orbit(t)}(y + pad − i, x + pad − j) over the taps
    /// t = (i, j) in order, read from copies of the orbit rows inside a zero border of KH−1 rows and KW−1
    /// columns, so every tap is an in-bounds read and dx rows are written once.
    private func orbitSummedTransposedGather(_ tied: UnsafePointer<Scalar>, batch: Range<Int>, orbits: TapOrbits,
                                             into dx: UnsafeMutablePointer<Scalar>) {
        let p = g.outputPlane, width = batch.count * p, c = g.c, r = orbits.count
        let borderH = g.kh - 1, borderW = g.kw - 1, rowStride = g.ow + 2 * borderW
        let bordered = (g.oh + 2 * borderH) * rowStride
        let planes = UnsafeMutablePointer<Scalar>.allocate(capacity: r * bordered)
        defer { planes.deallocate() }
        planes.initialize(repeating: 0, count: r * bordered)
        // Tap t = (i, j) reads orbit(t)'s plane at (y + pad − i + borderH, x + pad − j + borderW).
        let sources = (0..<kernelOffsets).map { t in
            orbits.orbit[t] * bordered + (g.padding - t / g.kw + borderH) * rowStride + g.padding - t % g.kw + borderW
        }
        sources.withUnsafeBufferPointer { src in
            for s in 0..<batch.count {
                for ch in 0..<c {
                    for q in 0..<r {
                        let row = tied + (ch * r + q) * width + s * p, plane = planes + q * bordered + borderH * rowStride + borderW
                        for y in 0..<g.oh { copyRun(plane + y * rowStride, row + y * g.ow, g.ow) }
                    }
                    sumRows(of: planes, rowStride: rowStride, sources: src, from: 0, to: kernelOffsets,
                            into: dx + ((batch.lowerBound + s) * c + ch) * g.inputPlane, rows: g.h, width: g.w, fromZero: true)
                }
            }
        }
    }

    /// For each orbit, in tap order, the offset of its taps' source (i·rowStride + j) in the bordered
    /// plane: orbit q's are sources[starts[q]..<starts[q + 1]].
    private func orbitTapSources(_ orbits: TapOrbits, rowStride: Int) -> (sources: [Int], starts: [Int]) {
        var sources = [Int](), starts = [0]
        for q in 0..<orbits.count {
            for t in 0..<kernelOffsets where orbits.orbit[t] == q { sources.append((t / g.kw) * rowStride + t % g.kw) }
            starts.append(sources.count)
        }
        return (sources, starts)
    }
}

/// dst[y·width + x] = Σ_{k ∈ from..<to} base[sources[k] + y·rowStride + x], added in k order (after a
/// zero when `fromZero`). Rows of at least 8 (or 4) go 8 (or 4) lanes at a time, the last vector of a
/// row overlapping the one before instead of a scalar tail; narrower rows go one pixel at a time.
@inline(__always)
private func sumRows<Scalar: TensorScalar>(of base: UnsafePointer<Scalar>, rowStride: Int, sources: UnsafeBufferPointer<Int>,
                                           from: Int, to: Int, into dst: UnsafeMutablePointer<Scalar>, rows: Int, width: Int,
                                           fromZero: Bool = false) {
    for y in 0..<rows {
        let row = base + y * rowStride, out = dst + y * width
        if width >= 8 {
            var x = 0
            while x < width {
                let x0 = min(x, width - 8)
                var acc = fromZero ? Lanes8(repeating: 0) + Lanes8(row + sources[from], x0) : Lanes8(row + sources[from], x0)
                for k in (from + 1)..<to { acc += Lanes8(row + sources[k], x0) }
                acc.store(to: out + x0)
                x += 8
            }
        } else if width >= 4 {
            var x0 = 0
            while true {
                var acc = lanes4(row + sources[from] + x0)
                if fromZero { acc = Scalar.add(SIMD4(repeating: 0), acc) }
                for k in (from + 1)..<to { acc = Scalar.add(acc, lanes4(row + sources[k] + x0)) }
                UnsafeMutableRawPointer(out + x0).storeBytes(of: acc, as: SIMD4<Scalar>.self)
                if x0 == width - 4 { break }
                x0 = width - 4
            }
        } else {
            for x in 0..<width {
                var acc = fromZero ? 0 + row[sources[from] + x] : row[sources[from] + x]
                for k in (from + 1)..<to { acc += row[sources[k] + x] }
                out[x] = acc
            }
        }
    }
}

@inline(__always)
private func lanes4<Scalar: TensorScalar>(_ p: UnsafePointer<Scalar>) -> SIMD4<Scalar> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Scalar>.self)
}
