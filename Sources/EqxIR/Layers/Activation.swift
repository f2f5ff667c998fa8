/// `relu`, `leaky_relu [slope]`, `tanh`, `sigmoid`: a pointwise nonlinearity, which commutes with every
/// permutation of features, so it carries its input's action and permutation symbol.
public struct Activation: LayerDefinition {
    public enum Function: Hashable, Sendable {
        case relu
        case leakyRelu(slope: Double)
        case tanh
        case sigmoid
    }
    public var function: Function
    public init(_ function: Function) { self.function = function }

    public static let heads = ["relu", "leaky_relu", "tanh", "sigmoid"]
    public static let lawExample = "leaky_relu 0.1\ntanh\nsigmoid\nrelu"
    public static func options(head: String) -> [String] { [] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        let function: Function
        switch c.head {
        case "leaky_relu":
            var slope = 0.01
            guard c.clause.output == nil, c.clause.arguments.count <= 1 else {
                c.error("E0406", "leaky_relu takes at most a slope: leaky_relu 0.1"); return nil
            }
            if let e = c.clause.arguments.first { guard let s = c.number(e, what: "slope") else { return nil }; slope = s }
            function = .leakyRelu(slope: slope)
        case "tanh": guard c.noArguments() else { return nil }; function = .tanh
        case "sigmoid": guard c.noArguments() else { return nil }; function = .sigmoid
        default: guard c.noArguments() else { return nil }; function = .relu
        }
        return (.activation(Activation(function)), c.input)
    }

    public var name: String {
        switch function {
        case .relu: return "relu"
        case .leakyRelu: return "leaky_relu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        }
    }
    public var autoNamePrefix: String { name }
    public var summary: String {
        if case .leakyRelu(let slope) = function { return "leaky_relu \(IRPrinter.number(slope))" }
        return name
    }
    public func outputShape(input: [Int]) -> [Int] { input }
    public var mixesChannels: Bool { false }
    public var window: SamplingWindow? { nil }
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] { [] }
    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { input }
}
