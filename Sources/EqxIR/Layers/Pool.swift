/// `maxpool K [stride s]` and `avgpool K [stride s]`: a window reduction per channel (stride defaults to K).
public struct Pool: LayerDefinition {
    public enum Reduction: String, Hashable, Sendable { case max, average }
    public var reduction: Reduction
    public var kernel: Int
    public var stride: Int
    public init(_ reduction: Reduction, kernel: Int, stride: Int) {
        self.reduction = reduction; self.kernel = kernel; self.stride = stride
    }

    public static let heads = ["maxpool", "avgpool"]
    public static let lawExample = "maxpool 3 stride 2\navgpool 1"
    public static func options(head: String) -> [String] { ["stride"] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard c.needImage() else { return nil }
        let input = c.input
        guard c.clause.arguments.count == 1, let k = c.positiveInteger(c.clause.arguments[0], what: "pool size") else {
            if c.clause.arguments.count != 1 { c.error("E0406", "\(c.head) needs a size: \(c.head) 2") }
            return nil
        }
        let s = c.options.positive("stride") ?? k
        guard input[1] >= k, input[2] >= k else {
            c.shapeError("pool size \(k) is larger than the input \(input[1])x\(input[2])", expected: "at least \(k)x\(k)", id: "E0302")
            return nil
        }
        let pool = Pool(c.head == "maxpool" ? .max : .average, kernel: k, stride: s)
        return (.pool(pool), pool.outputShape(input: input))
    }

    public var name: String { reduction == .max ? "maxpool" : "avgpool" }
    public var autoNamePrefix: String { name }
    public var summary: String { "\(name) \(kernel)" + (stride != kernel ? " stride \(stride)" : "") }
    public func outputShape(input: [Int]) -> [Int] { [input[0], (input[1] - kernel) / stride + 1, (input[2] - kernel) / stride + 1] }
    public var mixesChannels: Bool { false }
    public var window: SamplingWindow? { SamplingWindow(height: kernel, width: kernel, stride: stride, padding: 0, circular: false) }
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] { [] }
    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { .following(input, output: output) }
}
