// Element-wise arithmetic, in-place updates and reductions on tensors (no autodiff).
extension TensorOf {
    func requireSameShape(_ other: TensorOf<Scalar>, op: String) throws {
        guard shape == other.shape else {
            throw TensorError.shapeMismatch(op: op, expected: shape, got: other.shape)
        }
    }

    @inlinable
    func zipMap(_ other: TensorOf<Scalar>, _ f: (Scalar, Scalar) -> Scalar) -> TensorOf<Scalar> {
        TensorOf<Scalar>(shape: shape) { out in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<out.count { out[i] = f(a[i], b[i]) }
                }
            }
        }
    }

    /// Applies `f` to every scalar.
    @inlinable
    public func map(_ f: (Scalar) -> Scalar) -> TensorOf<Scalar> {
        TensorOf<Scalar>(shape: shape) { out in
            scalars.withUnsafeBufferPointer { a in
                for i in 0..<out.count { out[i] = f(a[i]) }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: TensorOf<Scalar>, rhs: TensorOf<Scalar>) throws -> TensorOf<Scalar> {
        try lhs.requireSameShape(rhs, op: "+")
        return lhs.zipMap(rhs, +)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: TensorOf<Scalar>, rhs: TensorOf<Scalar>) throws -> TensorOf<Scalar> {
        try lhs.requireSameShape(rhs, op: "-")
        return lhs.zipMap(rhs, -)
    }

    /// Element-wise (Hadamard) product.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: TensorOf<Scalar>, rhs: TensorOf<Scalar>) throws -> TensorOf<Scalar> {
        try lhs.requireSameShape(rhs, op: "*")
        return lhs.zipMap(rhs, *)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Scalar, rhs: TensorOf<Scalar>) -> TensorOf<Scalar> { rhs.scaled(by: lhs) }

    public static prefix func - (x: TensorOf<Scalar>) -> TensorOf<Scalar> { x.scaled(by: -1) }

    /// Every scalar multiplied by `factor`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func scaled(by factor: Scalar) -> TensorOf<Scalar> { map { $0 * factor } }

    /// `self *= factor`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func scale(by factor: Scalar) {
        storage.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] *= factor }
        }
    }

    /// `self += alpha * x` (BLAS axpy).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func add(_ x: TensorOf<Scalar>, scaledBy alpha: Scalar = 1) throws {
        try requireSameShape(x, op: "add(_:scaledBy:)")
        let n = count
        x.scalars.withUnsafeBufferPointer { xp in
            storage.withUnsafeMutableBufferPointer { yp in
                if n >= 4096 {
                    prepareBLAS()
                    Scalar.axpy(count: n, alpha: alpha, x: xp.baseAddress!, y: yp.baseAddress!)
                } else {
                    for i in 0..<n { yp[i] += alpha * xp[i] }
                }
            }
        }
    }

    /// `self = beta * self + alpha * x`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func scaleAndAdd(beta: Scalar, _ x: TensorOf<Scalar>, alpha: Scalar) throws {
        try requireSameShape(x, op: "scaleAndAdd")
        x.scalars.withUnsafeBufferPointer { xp in
            storage.withUnsafeMutableBufferPointer { yp in
                for i in 0..<yp.count { yp[i] = beta * yp[i] + alpha * xp[i] }
            }
        }
    }

    /// Sum of all scalars, accumulated in Double in index order.
    @inlinable
    public var sum: Double {
        scalars.withUnsafeBufferPointer { a in
            var s = 0.0
            for v in a { s += Double(v) }
            return s
        }
    }

    /// Mean of all scalars (0 for an empty tensor).
    @inlinable
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// Sum of squares (squared Frobenius norm), accumulated in Double.
    @inlinable
    public var squaredNorm: Double {
        scalars.withUnsafeBufferPointer { a in
            var s = 0.0
            for v in a { s += Double(v) * Double(v) }
            return s
        }
    }

    /// Inner product of the flattened tensors, accumulated in Double.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func dot(_ other: TensorOf<Scalar>) throws -> Double {
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
    @inlinable
    public var maxAbs: Scalar { scalars.reduce(0) { max($0, abs($1)) } }

    /// True when no scalar is NaN or infinite.
    @inlinable
    public var isAllFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}
