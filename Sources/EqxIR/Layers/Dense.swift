/// `dense -> C [bias false] [in C]`: a full linear map between feature maps that keeps the grid,
/// [C, H, W] → [C', H, W] (every pixel to every pixel: graph layers on n×n adjacency samples).
public struct Dense: LayerDefinition {
    public var out: Int
    public var bias: Bool
    public init(out: Int, bias: Bool = true) { self.out = out; self.bias = bias }

    public static let heads = ["dense"]
    public static let lawExample = "dense -> 6"
    public static func options(head: String) -> [String] { ["bias", "in"] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard let out = c.outputCount() else { return nil }
        if !c.clause.arguments.isEmpty {
            c.error("E0406", "'dense' takes only an output size: dense -> \(out)", at: c.clause.arguments[0].range); return nil
        }
        let bias = c.options.bool("bias") ?? true
        let input = c.input
        let name = c.clause.label?.name ?? "dense"
        guard c.expectInput(input[0], message: { "shape mismatch in '\(name)': expected input [N, \($0)], got [N, \(input[0])]" },
                            expected: { "[N, \($0)]" }) else { return nil }
        guard c.needImage() else { return nil }
        let weights = checkedProduct([out, input.reduce(1, *), input[1], input[2]])
        if weights.map({ $0 > 400_000_000 }) ?? true {
            c.checker.error("E0302", "dense layer would have \(weights.map(String.init) ?? "more than 2^63") weights", at: c.clause.range,
                            help: "dense maps every pixel to every pixel; use it on small grids (graphs), or a conv")
            return nil
        }
        return (.dense(Dense(out: out, bias: bias)), [out, input[1], input[2]])
    }

    public var name: String { "dense" }
    public var summary: String { "dense" + (bias ? "" : " no bias") }
    public var autoNamePrefix: String { "dense" }
    public func outputShape(input: [Int]) -> [Int] { [out, input[1], input[2]] }
    public var mixesChannels: Bool { true }
    public var window: SamplingWindow? { nil }

    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] {
        [TensorSpec("weight", [output.reduce(1, *), input.reduce(1, *)],
                    axes: [.outputChannels, .outputPositions, .inputChannels, .inputPositions], initialization: .kaimingUniform)]
            + (bias ? [TensorSpec("bias", [out] + Array(output.dropFirst()), axes: [.outputChannels, .outputPositions],
                                  initialization: .biasUniform)] : [])
    }

    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { .following(input, output: output) }
}
