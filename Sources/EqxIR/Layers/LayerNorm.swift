/// `layernorm [over all|spatial] [affine false]`: normalises each sample over its trailing axes — all of
/// them, or only H and W of a map (one statistic per channel, as a ResNet's layer norm in Git Re-Basin).
public struct LayerNorm: LayerDefinition {
    /// How many trailing axes of the sample shape are normalised together.
    public var dimensions: Int
    public var affine: Bool
    public init(dimensions: Int, affine: Bool = true) { self.dimensions = dimensions; self.affine = affine }

    public static let heads = ["layernorm"]
    public static let lawExample = "layernorm\nlayernorm over spatial affine true"
    public static func options(head: String) -> [String] { ["affine", "over"] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard c.noArguments() else { return nil }
        let affine = c.options.bool("affine") ?? true
        var dims = c.input.count
        if let e = c.options.take("over") {
            guard let s = c.symbol(e, what: "layernorm axes", among: ["all", "spatial"]) else { return nil }
            if s == "spatial" {
                guard c.needImage() else { return nil }
                dims = 2
            }
        }
        return (.layerNorm(LayerNorm(dimensions: dims, affine: affine)), c.input)
    }

    public var name: String { "layernorm" }
    public var summary: String { "layernorm over \(dimensions) axes" + (affine ? "" : " (no affine)") }
    public var autoNamePrefix: String { "ln" }
    public func outputShape(input: [Int]) -> [Int] { input }
    public var mixesChannels: Bool { false }
    public var window: SamplingWindow? { nil }

    /// Elementwise γ and β over the normalised axes: the whole input space, or its positions.
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] {
        guard affine else { return [] }
        let shape = Array(input.suffix(dimensions))
        let axes: [TensorAxis] = dimensions == input.count ? [.inputChannels, .inputPositions] : [.inputPositions]
        return [TensorSpec("weight", shape, axes: axes, initialization: .ones),
                TensorSpec("bias", shape, axes: axes, initialization: .zeros)]
    }

    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { input }
}
