import CBLAS

// Element-wise arithmetic, in-place updates and reductions on tensors (no autodiff).
extension Tensor {
    func requireSameShape(_ other: Tensor, op: String) throws {
        guard shape == other.shape else {
            throw TensorError.shapeMismatch(op: op, expected: shape, got: other.shape)
        }
    }

    @inlinable
    func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<out.count { out[i] = f(a[i], b[i]) }
                }
            }
        }
    }

    /// Applies `f` to every scalar.
    @inlinable
    public func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { a in
                for i in 0..<out.count { out[i] = f(a[i]) }
            }
        }
    }

    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try lhs.requireSameShape(rhs, op: "+")
        return lhs.zipMap(rhs, +)
    }

    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try lhs.requireSameShape(rhs, op: "-")
        return lhs.zipMap(rhs, -)
    }

    /// Element-wise (Hadamard) product.
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try lhs.requireSameShape(rhs, op: "*")
        return lhs.zipMap(rhs, *)
    }

    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.scaled(by: lhs) }

    public static prefix func - (x: Tensor) -> Tensor { x.scaled(by: -1) }

    /// Every scalar multiplied by `factor`.
    public func scaled(by factor: Float) -> Tensor { map { $0 * factor } }

    /// `self *= factor`.
    public mutating func scale(by factor: Float) {
        storage.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] *= factor }
        }
    }

    /// `self += alpha * x` (BLAS axpy).
    public mutating func add(_ x: Tensor, scaledBy alpha: Float = 1) throws {
        try requireSameShape(x, op: "add(_:scaledBy:)")
        let n = count
        x.scalars.withUnsafeBufferPointer { xp in
            storage.withUnsafeMutableBufferPointer { yp in
                if n >= 4096 {
                    prepareBLAS()
                    cblas_saxpy(Int32(n), alpha, xp.baseAddress, 1, yp.baseAddress, 1)
                } else {
                    for i in 0..<n { yp[i] += alpha * xp[i] }
                }
            }
        }
    }

    /// `self = beta * self + alpha * x`.
    public mutating func scaleAndAdd(beta: Float, _ x: Tensor, alpha: Float) throws {
        try requireSameShape(x, op: "scaleAndAdd")
        x.scalars.withUnsafeBufferPointer { xp in
            storage.withUnsafeMutableBufferPointer { yp in
                for i in 0..<yp.count { yp[i] = beta * yp[i] + alpha * xp[i] }
            }
        }
    }

    /// Sum of all scalars, accumulated in Double in index order.
    public var sum: Double {
        scalars.withUnsafeBufferPointer { a in
            var s = 0.0
            for v in a { s += Double(v) }
            return s
        }
    }

    /// Mean of all scalars (0 for an empty tensor).
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// Sum of squares (squared Frobenius norm), accumulated in Double.
    public var squaredNorm: Double {
        scalars.withUnsafeBufferPointer { a in
            var s = 0.0
            for v in a { s += Double(v) * Double(v) }
            return s
        }
    }

    /// Inner product of the flattened tensors, accumulated in Double.
    public func dot(_ other: Tensor) throws -> Double {
        try requireSameShape(other, op: "dot")
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                var s = 0.0
                for i in 0..<a.count { s += Double(a[i]) * Double(b[i]) }
                return s
            }
        }
    }

    /// Largest absolute scalar (0 for an empty tensor).
    public var maxAbs: Float { scalars.reduce(0) { max($0, abs($1)) } }

    /// True when no scalar is NaN or infinite.
    public var isAllFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}
