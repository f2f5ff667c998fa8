/// Parameter initialisers matching PyTorch's defaults (the distributions, not PyTorch's random draws).
public enum Initializer {
    /// Fan-in of a weight: shape[1] × (product of the kernel extents), e.g. C·KH·KW for OIHW, `in` for [out, in].
    public static func fanIn(_ shape: [Int]) -> Int {
        shape.count >= 2 ? shape.dropFirst().reduce(1, *) : max(1, shape.first ?? 1)
    }

    /// Kaiming-uniform with leaky-ReLU parameter `a`: U(−b, b), b = √(2/(1+a²)) · √(3/fan_in).
    /// PyTorch's default for conv and linear weights is a = √5, i.e. b = 1/√fan_in.
    public static func kaimingUniform(_ shape: [Int], a: Float = Float(5).squareRoot(), rng: inout RandomStream) -> Tensor {
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = gain * (3 / Float(fanIn(shape))).squareRoot()
        return rng.uniformTensor(shape, -bound, bound)
    }

    /// Kaiming-normal (fan-in mode): N(0, gain²/fan_in), gain = √(2/(1+a²)); a = 0 for ReLU.
    public static func kaimingNormal(_ shape: [Int], a: Float = 0, rng: inout RandomStream) -> Tensor {
        let std = (2 / (1 + a * a)).squareRoot() / Float(fanIn(shape)).squareRoot()
        return rng.normalTensor(shape, standardDeviation: std)
    }

    /// PyTorch's default bias for a layer with the given weight shape: U(−1/√fan_in, 1/√fan_in).
    public static func defaultBias(weightShape: [Int], rng: inout RandomStream) -> Tensor {
        let bound = 1 / Float(fanIn(weightShape)).squareRoot()
        return rng.uniformTensor([weightShape[0]], -bound, bound)
    }

    /// PyTorch's default conv/linear weight (kaiming-uniform, a = √5).
    public static func defaultWeight(_ shape: [Int], rng: inout RandomStream) -> Tensor {
        kaimingUniform(shape, rng: &rng)
    }
}
