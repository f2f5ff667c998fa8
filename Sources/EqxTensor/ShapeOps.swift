// Differentiable reshapes, row slices, concatenation and gathers.

/// The same scalars with a new shape (one extent may be -1).
public func reshape(_ x: Variable, _ shape: [Int]) throws -> Variable {
    let xShape = x.shape
    return Variable.make(try x.value.reshaped(shape), inputs: [x]) { dy in [try dy.reshaped(xShape)] }
}

/// [N, d1, d2, ...] → [N, d1·d2·...].
public func flatten(_ x: Variable) throws -> Variable {
    guard x.shape.count >= 1 else { throw TensorError.rankMismatch(op: "flatten", expected: "rank >= 1", got: x.shape) }
    return try reshape(x, [x.shape[0], x.shape.dropFirst().reduce(1, *)])
}

/// Rows `range` along axis 0.
public func sliceRows(_ x: Variable, _ range: Range<Int>) throws -> Variable {
    let xv = x.value
    return Variable.make(try xv.slicedBatch(range), inputs: [x]) { dy in
        var dx = Tensor.zeros(xv.shape)
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
public func concatRows(_ parts: [Variable]) throws -> Variable {
    let value = try Tensor.concatenatedBatch(parts.map(\.value))
    let rows = parts.map { $0.shape[0] }
    return Variable.make(value, inputs: parts) { dy in
        var start = 0
        return try rows.map { n in
            defer { start += n }
            return try dy.slicedBatch(start..<(start + n))
        }
    }
}

/// Flat gather `out[i] = x[flat: indices[i]]` shaped `shape`; the backward pass scatter-adds.
/// Applies a permutation group action (e.g. a flip of feature maps) inside a graph.
public func gather(_ x: Variable, indices: [Int], shape: [Int]) throws -> Variable {
    let xShape = x.shape
    return Variable.make(try x.value.gathered(indices: indices, shape: shape), inputs: [x]) { dy in
        var dx = Tensor.zeros(xShape)
        dy.withUnsafeBufferPointer { gp in
            dx.withUnsafeMutableBufferPointer { dp in
                for (i, j) in indices.enumerated() { dp[j] += gp[i] }
            }
        }
        return [dx]
    }
}
