/// `flatten`: [C, H, W] → [C·H·W]. The vector is still the C×H×W space (channels slowest), so the group
/// and the merge permutations act on it as on the feature map.
public struct Flatten: LayerDefinition {
    public init() {}
    public static let heads = ["flatten"]
    public static let lawExample = "flatten\nbatchnorm"
    public static func options(head: String) -> [String] { [] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard c.noArguments() else { return nil }
        return (.flatten, [c.input.reduce(1, *)])
    }

    public var name: String { "flatten" }
    public var summary: String { name }
    public var autoNamePrefix: String { "flatten" }
    public func outputShape(input: [Int]) -> [Int] { [input.reduce(1, *)] }
    public var mixesChannels: Bool { false }
    public var window: SamplingWindow? { nil }
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] { [] }
    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { input }
}
