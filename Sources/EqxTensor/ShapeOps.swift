// Differentiable reshapes, row slices, concatenation and gathers.

/// The same scalars with a new shape (one extent may be -1).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func reshape<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, _ shape: [Int]) throws -> VariableOf<Scalar> {
    let xShape = x.shape
    return VariableOf<Scalar>.make(try x.value.reshaped(shape), inputs: [x]) { dy in [try dy.reshaped(xShape)] }
}

/// [N, d1, d2, ...] → [N, d1·d2·...].
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func flatten<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) throws -> VariableOf<Scalar> {
    guard x.shape.count >= 1 else { throw TensorError.rankMismatch(op: "flatten", expected: "rank >= 1", got: x.shape) }
    return try reshape(x, [x.shape[0], x.shape.dropFirst().reduce(1, *)])
}

/// Rows `range` along axis 0.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func sliceRows<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, _ range: Range<Int>) throws -> VariableOf<Scalar> {
    let xv = x.value
    return VariableOf<Scalar>.make(try xv.slicedBatch(range), inputs: [x]) { dy in
        var dx = TensorOf<Scalar>.zeros(xv.shape)
        let r = xv.rowSize
        dy.withUnsafeBufferPointer { gp in
            dx.withUnsafeMutableBufferPointer { dp in
                for i in 0..<gp.count { dp[range.lowerBound * r + i] = gp[i] }
            }
        }
        return [dx]
    }
}

/// Concatenation along axis 0.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func concatRows<Scalar: TensorScalar>(_ parts: [VariableOf<Scalar>]) throws -> VariableOf<Scalar> {
    let value = try TensorOf<Scalar>.concatenatedBatch(parts.map(\.value))
    let rows = parts.map { $0.shape[0] }
    return VariableOf<Scalar>.make(value, inputs: parts) { dy in
        var start = 0
        return try rows.map { n in
            defer { start += n }
            return try dy.slicedBatch(start..<(start + n))
        }
    }
}

/// Flat gather `out[i] = x[flat: indices[i]]` shaped `shape`; the backward pass scatter-adds.
/// Applies a permutation group action (e.g. a flip of feature maps) inside a graph.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func gather<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, indices: [Int], shape: [Int]) throws -> VariableOf<Scalar> {
    let xShape = x.shape
    return VariableOf<Scalar>.make(try x.value.gathered(indices: indices, shape: shape), inputs: [x]) { dy in
        var dx = TensorOf<Scalar>.zeros(xShape)
        dy.withUnsafeBufferPointer { gp in
            dx.withUnsafeMutableBufferPointer { dp in
                for (i, j) in indices.enumerated() { dp[j] += gp[i] }
            }
        }
        return [dx]
    }
}
