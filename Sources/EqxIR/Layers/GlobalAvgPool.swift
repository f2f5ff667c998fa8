/// `global avgpool`: the mean of each channel over the grid, [C, H, W] → [C].
public struct GlobalAvgPool: LayerDefinition {
    public init() {}
    public static let heads = ["global"]
    public static let lawExample = "global avgpool"
    public static func options(head: String) -> [String] { [] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard c.clause.arguments.count == 1, c.clause.output == nil, case .identifier("avgpool") = c.clause.arguments[0].kind else {
            c.checker.error("E0406", "write 'global avgpool'", at: c.clause.range); return nil
        }
        guard c.needImage() else { return nil }
        return (.globalAvgPool, [c.input[0]])
    }

    public var name: String { "global avgpool" }
    public var summary: String { name }
    public var autoNamePrefix: String { "global_avgpool" }
    public func outputShape(input: [Int]) -> [Int] { [input[0]] }
    public var mixesChannels: Bool { false }
    public var window: SamplingWindow? { nil }
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] { [] }
    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout {
        FeatureLayout(channels: output[0], spatial: .none)
    }
}
