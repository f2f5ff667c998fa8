/// `linear -> F [bias false] [in F]`: a fully connected layer on the flattened sample.
public struct Linear: LayerDefinition {
    public var out: Int
    public var bias: Bool
    public init(out: Int, bias: Bool = true) { self.out = out; self.bias = bias }

    public static let heads = ["linear"]
    public static let lawExample = "flatten\nlinear -> 12\nrelu"
    public static func options(head: String) -> [String] { ["bias", "in"] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard let out = c.outputCount() else { return nil }
        if !c.clause.arguments.isEmpty {
            c.error("E0406", "'linear' takes only an output size: linear -> \(out)", at: c.clause.arguments[0].range); return nil
        }
        let bias = c.options.bool("bias") ?? true
        let features = c.input.reduce(1, *)
        let name = c.clause.label?.name ?? "linear"
        guard c.expectInput(features, message: { "shape mismatch in '\(name)': expected input [N, \($0)], got [N, \(features)]" },
                            expected: { "[N, \($0)]" }) else { return nil }
        return (.linear(Linear(out: out, bias: bias)), [out])
    }

    public var name: String { "linear" }
    public var summary: String { "linear" + (bias ? "" : " no bias") }
    public var autoNamePrefix: String { "linear" }
    public func outputShape(input: [Int]) -> [Int] { [out] }
    public var mixesChannels: Bool { true }
    public var window: SamplingWindow? { nil }

    /// The weight maps the whole input space (channels slowest, after flatten) to the output vector.
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] {
        [TensorSpec("weight", [out, input.reduce(1, *)],
                    axes: [.outputChannels, .outputPositions, .inputChannels, .inputPositions], initialization: .kaimingUniform)]
            + (bias ? [TensorSpec("bias", [out], axes: [.outputChannels], initialization: .biasUniform)] : [])
    }

    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout {
        FeatureLayout(channels: out, spatial: .none)
    }
}
