/// Affine map `y = x·Wᵀ + b` (PyTorch `linear`): x [..., in], weight [out, in], bias [out].
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func linear<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, weight: VariableOf<Scalar>, bias: VariableOf<Scalar>? = nil) throws -> VariableOf<Scalar> {
    let op = "linear \(weight.displayName)"
    guard weight.shape.count == 2 else {
        throw TensorError.rankMismatch(op: op, expected: "weight [out, in]", got: weight.shape)
    }
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    guard x.shape.count >= 1, x.shape.last == inFeatures else {
        throw TensorError.shapeMismatch(op: op, expected: [-1, inFeatures], got: x.shape)
    }
    if let bias, bias.shape != [outFeatures] {
        throw TensorError.shapeMismatch(op: op + " bias", expected: [outFeatures], got: bias.shape)
    }
    let rows = x.value.count / inFeatures
    let x2 = try x.value.reshaped([rows, inFeatures])
    var y = try x2.matmul(weight.value, transposeOther: true)
    if let bias { addRowBias(&y, bias.value) }
    y = try y.reshaped(Array(x.shape.dropLast()) + [outFeatures])

    let wv = weight.value
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let xShape = x.shape
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return VariableOf<Scalar>.make(y, inputs: inputs) { dy in
        let dy2 = try dy.reshaped([rows, outFeatures])
        let dx = needX ? try dy2.matmul(wv).reshaped(xShape) : nil
        let dw = needW ? try dy2.matmul(x2, transposeSelf: true) : nil
        var grads: [TensorOf<Scalar>?] = [dx, dw]
        if bias != nil { grads.append(needB ? columnSums(dy2) : nil) }
        return grads
    }
}

/// `y[r, j] += b[j]` for a row-major [rows, b.count] tensor.
func addRowBias<Scalar: TensorScalar>(_ y: inout TensorOf<Scalar>, _ b: TensorOf<Scalar>) {
    let k = b.count
    b.withUnsafeBufferPointer { bp in
        y.withUnsafeMutableBufferPointer { yp in
            for r in 0..<(yp.count / k) {
                for j in 0..<k { yp[r * k + j] += bp[j] }
            }
        }
    }
}

/// Column sums of a rank-2 tensor, accumulated in Double.
func columnSums<Scalar: TensorScalar>(_ m: TensorOf<Scalar>) -> TensorOf<Scalar> {
    let cols = m.shape[1], rows = m.shape[0]
    var acc = [Double](repeating: 0, count: cols)
    m.withUnsafeBufferPointer { mp in
        for r in 0..<rows { for j in 0..<cols { acc[j] += Double(mp[r * cols + j]) } }
    }
    return TensorOf<Scalar>(acc.map { Scalar($0) })
}
