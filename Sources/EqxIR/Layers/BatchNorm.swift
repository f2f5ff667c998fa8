/// `batchnorm [affine false] [momentum m]`: per-channel normalisation by batch statistics in training and
/// running statistics in evaluation, on [C, H, W] maps or [F] vectors.
public struct BatchNorm: LayerDefinition {
    public var affine: Bool
    /// nil: a cumulative average over every batch (PyTorch's `momentum=None`).
    public var momentum: Double?
    public init(affine: Bool = true, momentum: Double? = 0.1) { self.affine = affine; self.momentum = momentum }

    public static let heads = ["batchnorm"]
    public static let lawExample = "batchnorm\nrelu"
    public static func options(head: String) -> [String] { ["affine", "momentum"] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard c.noArguments() else { return nil }
        guard c.input.count == 3 || c.input.count == 1 else {
            c.shapeError("batchnorm needs [N, C, H, W] or [N, C], got \(c.shapeText(c.input))", expected: "[N, C, H, W] or [N, C]")
            return nil
        }
        let affine = c.options.bool("affine") ?? true
        var momentum: Double? = 0.1
        if let e = c.options.take("momentum") {
            guard let m = c.number(e, what: "momentum"), m > 0, m <= 1 else {
                c.error("E0406", "batchnorm momentum must be in (0, 1]", at: e.range); return nil
            }
            momentum = m
        }
        return (.batchNorm(BatchNorm(affine: affine, momentum: momentum)), c.input)
    }

    public var name: String { "batchnorm" }
    public var summary: String { "batchnorm" + (affine ? "" : " (no affine)") }
    public var autoNamePrefix: String { "bn" }
    public func outputShape(input: [Int]) -> [Int] { input }
    public var mixesChannels: Bool { false }
    public var window: SamplingWindow? { nil }

    /// One value per channel of a map; on a vector, one per feature — which after `flatten` is a channel ×
    /// position, so a group moving positions moves these statistics too.
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] {
        let axes: [TensorAxis] = input.count == 3 ? [.outputChannels] : [.outputChannels, .outputPositions]
        let c = [input[0]]
        return (affine ? [TensorSpec("weight", c, axes: axes, initialization: .ones),
                          TensorSpec("bias", c, axes: axes, initialization: .zeros)] : [])
            + [TensorSpec("running_mean", c, axes: axes, initialization: .zeros, trainable: false),
               TensorSpec("running_var", c, axes: axes, initialization: .ones, trainable: false)]
    }

    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { input }
}
