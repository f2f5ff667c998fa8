/// Inverted dropout: in training, zeroes each element with probability p (drawn from `rng` in index
/// order) and scales survivors by 1/(1−p); the identity otherwise.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func dropout<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, p: Scalar, training: Bool, rng: inout RandomStream) throws -> VariableOf<Scalar> {
    guard p >= 0, p < 1 else { throw TensorError.invalidArgument(op: "dropout", message: "p must be in [0, 1), got \(p)") }
    guard training, p > 0 else { return x }
    let keep = 1 / (1 - p)
    var mask = [Scalar](repeating: 0, count: x.value.count)
    for i in 0..<mask.count where !rng.bernoulli(Float(p)) { mask[i] = keep }
    let m = TensorOf<Scalar>(uncheckedShape: x.shape, scalars: mask)
    return VariableOf<Scalar>.make(try x.value * m, inputs: [x]) { dy in [try dy * m] }
}
