// Differentiable arithmetic and reductions on Variables.

/// Element-wise sum of equal shapes (e.g. a residual connection).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func add<Scalar: TensorScalar>(_ a: VariableOf<Scalar>, _ b: VariableOf<Scalar>) throws -> VariableOf<Scalar> {
    guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "add", expected: a.shape, got: b.shape) }
    return VariableOf<Scalar>.make(try a.value + b.value, inputs: [a, b]) { dy in [dy, dy] }
}

/// Element-wise difference of equal shapes.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func sub<Scalar: TensorScalar>(_ a: VariableOf<Scalar>, _ b: VariableOf<Scalar>) throws -> VariableOf<Scalar> {
    guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "sub", expected: a.shape, got: b.shape) }
    return VariableOf<Scalar>.make(try a.value - b.value, inputs: [a, b]) { dy in [dy, -dy] }
}

/// Element-wise product of equal shapes.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func mul<Scalar: TensorScalar>(_ a: VariableOf<Scalar>, _ b: VariableOf<Scalar>) throws -> VariableOf<Scalar> {
    guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "mul", expected: a.shape, got: b.shape) }
    let av = a.value, bv = b.value
    return VariableOf<Scalar>.make(try av * bv, inputs: [a, b]) { dy in [try dy * bv, try dy * av] }
}

/// `factor · x`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func scale<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, by factor: Scalar) -> VariableOf<Scalar> {
    VariableOf<Scalar>.make(x.value.scaled(by: factor), inputs: [x]) { dy in [dy.scaled(by: factor)] }
}

/// Sum of all elements, as a [] (scalar) Variable; accumulated in Double.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func sum<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) -> VariableOf<Scalar> {
    let shape = x.shape
    return VariableOf<Scalar>.make(TensorOf<Scalar>(scalar: Scalar(x.value.sum)), inputs: [x]) { dy in
        [TensorOf<Scalar>.filled(shape, with: dy.scalars[0])]
    }
}

/// Mean of all elements, as a [] (scalar) Variable.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func mean<Scalar: TensorScalar>(_ x: VariableOf<Scalar>) -> VariableOf<Scalar> {
    let shape = x.shape, n = max(1, x.value.count)
    return VariableOf<Scalar>.make(TensorOf<Scalar>(scalar: Scalar(x.value.sum / Double(n))), inputs: [x]) { dy in
        [TensorOf<Scalar>.filled(shape, with: dy.scalars[0] / Scalar(n))]
    }
}

@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func + <Scalar: TensorScalar>(a: VariableOf<Scalar>, b: VariableOf<Scalar>) throws -> VariableOf<Scalar> { try add(a, b) }
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func - <Scalar: TensorScalar>(a: VariableOf<Scalar>, b: VariableOf<Scalar>) throws -> VariableOf<Scalar> { try sub(a, b) }
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func * <Scalar: TensorScalar>(a: VariableOf<Scalar>, b: VariableOf<Scalar>) throws -> VariableOf<Scalar> { try mul(a, b) }
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func * <Scalar: TensorScalar>(factor: Scalar, x: VariableOf<Scalar>) -> VariableOf<Scalar> { scale(x, by: factor) }
