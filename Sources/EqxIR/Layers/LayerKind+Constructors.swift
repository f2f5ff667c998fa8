/// Shorthands for building layer kinds in code (tests, benchmarks): `.conv(out: 8, kernelHeight: 3, …)`,
/// `.relu`, `.maxPool(kernel: 2, stride: 2)`.
extension LayerKind {
    public static func conv(out: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0,
                            circular: Bool = false, bias: Bool = true) -> LayerKind {
        .conv(Conv(out: out, kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: stride, padding: padding,
                   circular: circular, bias: bias))
    }
    public static func linear(out: Int, bias: Bool = true) -> LayerKind { .linear(Linear(out: out, bias: bias)) }
    public static func dense(out: Int, bias: Bool = true) -> LayerKind { .dense(Dense(out: out, bias: bias)) }
    public static var relu: LayerKind { .activation(Activation(.relu)) }
    public static var tanh: LayerKind { .activation(Activation(.tanh)) }
    public static var sigmoid: LayerKind { .activation(Activation(.sigmoid)) }
    public static func leakyRelu(slope: Double) -> LayerKind { .activation(Activation(.leakyRelu(slope: slope))) }
    public static func maxPool(kernel: Int, stride: Int) -> LayerKind { .pool(Pool(.max, kernel: kernel, stride: stride)) }
    public static func avgPool(kernel: Int, stride: Int) -> LayerKind { .pool(Pool(.average, kernel: kernel, stride: stride)) }
    public static func batchNorm(affine: Bool = true, momentum: Double? = 0.1) -> LayerKind {
        .batchNorm(BatchNorm(affine: affine, momentum: momentum))
    }
    public static func layerNorm(dimensions: Int, affine: Bool = true) -> LayerKind {
        .layerNorm(LayerNorm(dimensions: dimensions, affine: affine))
    }
    public static func dropout(_ probability: Double) -> LayerKind { .dropout(Dropout(probability: probability)) }
    public static func residual(_ body: [Layer], shortcut: [Layer]? = nil) -> LayerKind {
        .residual(Residual(body: body, shortcut: shortcut))
    }
}
