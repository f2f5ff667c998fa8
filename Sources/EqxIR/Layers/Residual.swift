/// `residual { BODY }` adds the block's input to the body's output; `residual { BODY } shortcut { PROJECTION }`
/// adds the projection of the input instead (a ResNet's downsampling block: `shortcut { conv 1x1 -> 2*w
/// stride 2 bias false; batchnorm }`). Both branches start from the block's input and must end in the same
/// shape; the group must act on both alike, and a merge permutes both with one symbol.
public struct Residual: LayerDefinition {
    public var body: [Layer]
    /// nil: the identity.
    public var shortcut: [Layer]?
    public init(body: [Layer], shortcut: [Layer]? = nil) { self.body = body; self.shortcut = shortcut }

    public static let heads = ["residual"]
    public static let lawExample = "residual {\n  conv 3x3 -> 8 pad 1\n  relu\n}\nresidual {\n  conv 3x3 -> 12 stride 2 pad 1\n} shortcut {\n  conv 1x1 -> 12 stride 2\n  batchnorm\n}"
    public static func options(head: String) -> [String] { [] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard let bodyClauses = c.clause.body, c.clause.arguments.isEmpty, c.clause.output == nil else {
            c.checker.error("E0406", "residual needs a body: residual { conv 3x3 -> 16 pad 1; relu }", at: c.clause.range); return nil
        }
        let input = c.input
        var bodyShape = input
        guard let body = c.buildBranch(bodyClauses, shape: &bodyShape) else { return nil }
        guard let shortcutClauses = c.clause.shortcut else {
            guard bodyShape == input else {
                c.checker.error("E0303", "residual body changes the shape from \(c.shapeText(input)) to \(c.shapeText(bodyShape))",
                                at: c.clause.head.range, label: "the identity shortcut adds the input to the body's output",
                                help: Residual.projectionHint(from: input, to: bodyShape))
                return nil
            }
            return (.residual(Residual(body: body)), bodyShape)
        }
        var shortcutShape = input
        guard let shortcut = c.buildBranch(shortcutClauses, shape: &shortcutShape) else { return nil }
        guard shortcutShape == bodyShape else {
            c.checker.error("E0303", "the shortcut outputs \(c.shapeText(shortcutShape)), the body \(c.shapeText(bodyShape)): they cannot be added",
                            at: c.clause.head.range, label: "body \(c.shapeText(bodyShape)), shortcut \(c.shapeText(shortcutShape))",
                            help: Residual.projectionHint(from: input, to: bodyShape))
            return nil
        }
        return (.residual(Residual(body: body, shortcut: shortcut)), bodyShape)
    }

    /// The projection that would fit, when one exists: a 1×1 conv with the body's channels and stride.
    static func projectionHint(from input: [Int], to output: [Int]) -> String {
        guard input.count == 3, output.count == 3, output[1] > 0, input[1] % output[1] == 0 || (input[1] + 1) / 2 == output[1] else {
            return "keep channels and size inside the body, or add a shortcut { ... } that maps the input to the body's shape"
        }
        let stride = max(1, (input[1] + output[1] - 1) / output[1])
        return "add a projection: residual { ... } shortcut { conv 1x1 -> \(output[0])\(stride > 1 ? " stride \(stride)" : "") bias false; batchnorm }"
    }

    public var name: String { "residual" }
    public var summary: String {
        let n = body.count
        return "residual (\(n) layer\(n == 1 ? "" : "s")\(shortcut.map { ", shortcut of \($0.count)" } ?? ""))"
    }
    public var autoNamePrefix: String { "residual" }
    public func outputShape(input: [Int]) -> [Int] { body.last?.outputShape ?? input }
    public var mixesChannels: Bool { false }
    public var window: SamplingWindow? { nil }
    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] { [] }
    /// The sum has the body's layout (the checker has made both branches end in the same shape).
    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { .following(input, output: output) }
}
