/// `dropout p`: zeroes each value with probability p in training (scaling the rest by 1/(1−p)).
public struct Dropout: LayerDefinition {
    public var probability: Double
    public init(probability: Double) { self.probability = probability }
    public static let heads = ["dropout"]
    public static let lawExample = "dropout 0.5"
    public static func options(head: String) -> [String] { [] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard c.clause.arguments.count == 1, c.clause.output == nil,
              let p = c.number(c.clause.arguments[0], what: "dropout probability"), p >= 0, p < 1 else {
            c.checker.error("E0406", "dropout takes a probability in [0, 1): dropout 0.5", at: c.clause.range); return nil
        }
        return (.dropout(Dropout(probability: p)), c.input)
    }

    public var name: String { "dropout" }
    public var summary: String { "dropout \(IRPrinter.number(probability))" }
    public var autoNamePrefix: String { "dropout" }
    public func outputShape(input: [Int]) -> [Int] { input }
    public var mixesChannels: Bool { false }
    public var window: SamplingWindow? { nil }
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] { [] }
    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { input }
}
