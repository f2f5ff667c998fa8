// Differentiable arithmetic and reductions on Variables.

/// Element-wise sum of equal shapes (e.g. a residual connection).
public func add(_ a: Variable, _ b: Variable) throws -> Variable {
    guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "add", expected: a.shape, got: b.shape) }
    return Variable.make(try a.value + b.value, inputs: [a, b]) { dy in [dy, dy] }
}

/// Element-wise difference of equal shapes.
public func sub(_ a: Variable, _ b: Variable) throws -> Variable {
    guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "sub", expected: a.shape, got: b.shape) }
    return Variable.make(try a.value - b.value, inputs: [a, b]) { dy in [dy, -dy] }
}

/// Element-wise product of equal shapes.
public func mul(_ a: Variable, _ b: Variable) throws -> Variable {
    guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "mul", expected: a.shape, got: b.shape) }
    let av = a.value, bv = b.value
    return Variable.make(try av * bv, inputs: [a, b]) { dy in [try dy * bv, try dy * av] }
}

/// `factor · x`.
public func scale(_ x: Variable, by factor: Float) -> Variable {
    Variable.make(x.value.scaled(by: factor), inputs: [x]) { dy in [dy.scaled(by: factor)] }
}

/// Sum of all elements, as a [] (scalar) Variable; accumulated in Double.
public func sum(_ x: Variable) -> Variable {
    let shape = x.shape
    return Variable.make(Tensor(scalar: Float(x.value.sum)), inputs: [x]) { dy in
        [Tensor.filled(shape, with: dy.scalars[0])]
    }
}

/// Mean of all elements, as a [] (scalar) Variable.
public func mean(_ x: Variable) -> Variable {
    let shape = x.shape, n = max(1, x.value.count)
    return Variable.make(Tensor(scalar: Float(x.value.sum / Double(n))), inputs: [x]) { dy in
        [Tensor.filled(shape, with: dy.scalars[0] / Float(n))]
    }
}

public func + (a: Variable, b: Variable) throws -> Variable { try add(a, b) }
public func - (a: Variable, b: Variable) throws -> Variable { try sub(a, b) }
public func * (a: Variable, b: Variable) throws -> Variable { try mul(a, b) }
public func * (factor: Float, x: Variable) -> Variable { scale(x, by: factor) }
