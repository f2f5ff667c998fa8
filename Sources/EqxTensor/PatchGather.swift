/// im2col and its adjoint over padded planes.
///
/// Each image plane is first copied into a bordered plane — zeros around it for zero padding, the
/// wrapped-around pixels for circular padding — so that no pixel access needs a bounds check. With
/// stride 1 and rows of at least 8 pixels, every (kernel offset, output row) is then a contiguous run
/// copied with short vector moves (the memmove calls these replace were most of the cost); narrow
/// planes (4×4, 2×2 in deep layers) and other strides gather through a precomputed offset table.
struct PatchGather<Scalar: TensorScalar> {
    let g: WindowGeometry
    /// Width and size of the bordered plane (the input plane itself without padding).
    let planeW, planeSize: Int
    /// For a circularly padded plane: the input pixel behind each bordered-plane position.
    let wrapSource: [Int32]
    /// Source offset in the bordered plane of output pixel q under kernel offset t = i·kw + j, at
    /// t·P + q; built for strides above 1 and for narrow outputs, where per-row runs are too short
    /// to pay for their loop.
    let offsets: [Int32]

    init(_ g: WindowGeometry) {
        self.g = g
        let pad = g.padding
        planeW = g.w + 2 * pad
        planeSize = (g.h + 2 * pad) * planeW
        if g.mode == .circular && pad > 0 {
            var table = [Int32](repeating: 0, count: planeSize)
            for yy in 0..<(g.h + 2 * pad) {
                for xx in 0..<planeW {
                    let y = ((yy - pad) % g.h + g.h) % g.h, x = ((xx - pad) % g.w + g.w) % g.w
                    table[yy * planeW + xx] = Int32(y * g.w + x)
                }
            }
            wrapSource = table
        } else {
            wrapSource = []
        }
        var table: [Int32] = []
        if g.stride != 1 || g.ow < 8 {
            let p = g.outputPlane
            table = [Int32](repeating: 0, count: g.kh * g.kw * p)
            for i in 0..<g.kh {
                for j in 0..<g.kw {
                    for y in 0..<g.oh {
                        for x in 0..<g.ow {
                            table[(i * g.kw + j) * p + y * g.ow + x] = Int32((y * g.stride + i) * planeW + x * g.stride + j)
                        }
                    }
                }
            }
        }
        offsets = table
    }

    var kernelOffsets: Int { g.kh * g.kw }

    /// Writes columns for samples `batch` into `cols` ([patchSize, batch.count·P], row-major:
    /// row (channel, i, j), column (sample, pixel)). (sample, channel) planes are split across
    /// threads unless `serial`; each writes its own column ranges.
    func im2col(_ x: UnsafePointer<Scalar>, batch: Range<Int>, into cols: UnsafeMutablePointer<Scalar>, serial: Bool = false) {
        let p = g.outputPlane, width = batch.count * p, c = g.c, kk = kernelOffsets
        let body = { (units: Range<Int>) in
            let plane = UnsafeMutablePointer<Scalar>.allocate(capacity: self.planeSize)
            defer { plane.deallocate() }
            plane.initialize(repeating: 0, count: self.planeSize)
            for u in units {
                let s = u / c, ch = u % c
                self.fill(plane, from: x + ((batch.lowerBound + s) * c + ch) * self.g.inputPlane)
                for t in 0..<kk {
                    self.gather(t, from: plane, into: cols + (ch * kk + t) * width + s * p)
                }
            }
        }
        let units = batch.count * c
        if serial { body(0..<units) } else { parallelFor(units, cost: kk * p, body) }
    }

    /// The adjoint of `im2col`: sums the columns of samples `batch` back into image gradients and
    /// *writes* (not adds) those planes of `dx`. Each pixel's contributions are summed in
    /// kernel-offset order whatever the thread count.
    func col2im(_ cols: UnsafePointer<Scalar>, batch: Range<Int>, into dx: UnsafeMutablePointer<Scalar>, serial: Bool = false) {
        foldColumns(cols, rowsPerChannel: kernelOffsets, rowOfTap: nil, batch: batch, into: dx, serial: serial)
    }

    /// `col2im` of a matrix whose row for (channel, tap t) is channel·rowsPerChannel + rowOfTap[t] (t when
    /// `rowOfTap` is nil): with an orbit per row, every tap of the orbit receives that row.
    func foldColumns(_ cols: UnsafePointer<Scalar>, rowsPerChannel: Int, rowOfTap: [Int]?, batch: Range<Int>,
                     into dx: UnsafeMutablePointer<Scalar>, serial: Bool) {
        let p = g.outputPlane, width = batch.count * p, c = g.c, kk = kernelOffsets
        let body = { (units: Range<Int>) in
            let acc = UnsafeMutablePointer<Scalar>.allocate(capacity: self.planeSize)
            defer { acc.deallocate() }
            for u in units {
                let s = u / c, ch = u % c
                acc.initialize(repeating: 0, count: self.planeSize)
                for t in 0..<kk {
                    let row = ch * rowsPerChannel + (rowOfTap?[t] ?? t)
                    self.scatterAdd(t, from: cols + row * width + s * p, into: acc)
                }
                self.fold(acc, into: dx + ((batch.lowerBound + s) * c + ch) * self.g.inputPlane)
            }
        }
        let units = batch.count * c
        if serial { body(0..<units) } else { parallelFor(units, cost: kk * p, body) }
    }

    /// Copies an image into the bordered plane (whose zero border, if any, is already in place).
    @inline(__always)
    func fill(_ plane: UnsafeMutablePointer<Scalar>, from image: UnsafePointer<Scalar>) {
        if !wrapSource.isEmpty {
            wrapSource.withUnsafeBufferPointer { ws in
                for idx in 0..<planeSize { plane[idx] = image[Int(ws[idx])] }
            }
            return
        }
        let pad = g.padding
        for y in 0..<g.h { copyRun(plane + (y + pad) * planeW + pad, image + y * g.w, g.w) }
    }

    /// The adjoint of `fill`: writes the image gradient from the bordered plane's.
    @inline(__always)
    private func fold(_ plane: UnsafePointer<Scalar>, into image: UnsafeMutablePointer<Scalar>) {
        if !wrapSource.isEmpty {
            image.update(repeating: 0, count: g.inputPlane)
            wrapSource.withUnsafeBufferPointer { ws in
                for idx in 0..<planeSize { image[Int(ws[idx])] += plane[idx] }
            }
            return
        }
        let pad = g.padding
        for y in 0..<g.h { copyRun(image + y * g.w, plane + (y + pad) * planeW + pad, g.w) }
    }

    /// Row t = i·kw + j of one (sample, channel) block of the column matrix.
    @inline(__always)
    func gather(_ t: Int, from plane: UnsafePointer<Scalar>, into dst: UnsafeMutablePointer<Scalar>, adding: Bool = false) {
        let (i, j, ow) = (t / g.kw, t % g.kw, g.ow)
        if offsets.isEmpty {
            if adding {
                for y in 0..<g.oh { addRun(dst + y * ow, plane + (y + i) * planeW + j, ow) }
            } else {
                for y in 0..<g.oh { copyRun(dst + y * ow, plane + (y + i) * planeW + j, ow) }
            }
            return
        }
        let p = g.outputPlane
        offsets.withUnsafeBufferPointer { table in
            if adding {
                for q in 0..<p { dst[q] += plane[Int(table[t * p + q])] }
            } else {
                for q in 0..<p { dst[q] = plane[Int(table[t * p + q])] }
            }
        }
    }

    /// The adjoint of `gather`.
    @inline(__always)
    private func scatterAdd(_ t: Int, from src: UnsafePointer<Scalar>, into plane: UnsafeMutablePointer<Scalar>) {
        let (i, j, ow) = (t / g.kw, t % g.kw, g.ow)
        if offsets.isEmpty {
            for y in 0..<g.oh { addRun(plane + (y + i) * planeW + j, src + y * ow, ow) }
            return
        }
        let p = g.outputPlane
        offsets.withUnsafeBufferPointer { table in
            for q in 0..<p { plane[Int(table[t * p + q])] += src[q] }
        }
    }
}

/// dst[0..<count] = src[0..<count] with inline vector moves (no call for short runs).
@inline(__always)
func copyRun<Scalar: TensorScalar>(_ dst: UnsafeMutablePointer<Scalar>, _ src: UnsafePointer<Scalar>, _ count: Int) {
    let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
    var k = 0
    while k + 8 <= count {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: MemoryLayout<Scalar>.stride * k, as: SIMD8<Scalar>.self), toByteOffset: MemoryLayout<Scalar>.stride * k, as: SIMD8<Scalar>.self)
        k += 8
    }
    if k + 4 <= count {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: MemoryLayout<Scalar>.stride * k, as: SIMD4<Scalar>.self), toByteOffset: MemoryLayout<Scalar>.stride * k, as: SIMD4<Scalar>.self)
        k += 4
    }
    while k < count { dst[k] = src[k]; k += 1 }
}

/// dst[0..<count] += src[0..<count] with inline vector arithmetic.
@inline(__always)
func addRun<Scalar: TensorScalar>(_ dst: UnsafeMutablePointer<Scalar>, _ src: UnsafePointer<Scalar>, _ count: Int) {
    var k = 0
    while k + 8 <= count {
        (Lanes8(dst, k) + Lanes8(src, k)).store(to: dst + k)
        k += 8
    }
    while k < count { dst[k] += src[k]; k += 1 }
}
