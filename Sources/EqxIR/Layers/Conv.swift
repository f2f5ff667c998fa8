import EqxSyntax

/// `conv KxK -> C [stride s] [pad p|same] [padding zeros|circular] [bias false] [in C]`: a 2-D convolution.
public struct Conv: LayerDefinition {
    public var out: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int
    public var circular: Bool
    public var bias: Bool

    public init(out: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0,
                circular: Bool = false, bias: Bool = true) {
        self.out = out; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth; self.stride = stride
        self.padding = padding; self.circular = circular; self.bias = bias
    }

    public static let heads = ["conv"]
    public static let lawExample = "conv 3x3 -> 8 stride 2 pad 1"
    public static func options(head: String) -> [String] { ["stride", "pad", "padding", "bias", "in"] }

    public static func build(_ c: LayerClause) -> (kind: LayerKind, output: [Int])? {
        guard c.needImage(), let out = c.outputCount() else { return nil }
        let input = c.input
        guard c.clause.arguments.count == 1 else { c.error("E0406", "conv needs a kernel size: conv 3x3 -> \(out)"); return nil }
        guard let (kh, kw) = kernelSize(c.clause.arguments[0], c) else { return nil }
        let stride = c.options.positive("stride") ?? 1
        var pad = 0
        if let e = c.options.take("pad") {
            if case .identifier("same") = e.kind {
                guard kh % 2 == 1, kw % 2 == 1, kh == kw else { c.error("E0302", "pad same needs an odd square kernel", at: e.range); return nil }
                pad = kh / 2
            } else {
                guard let p = c.nonNegativeInteger(e, what: "padding") else { return nil }
                guard p <= 65_536 else { c.error("E0302", "padding \(p) is larger than any feature map", at: e.range); return nil }
                pad = p
            }
        }
        var circular = false
        if let e = c.options.take("padding") {
            guard let s = c.symbol(e, what: "padding mode", among: ["zeros", "circular"]) else { return nil }
            circular = s == "circular"
        }
        let bias = c.options.bool("bias") ?? true
        if input[1] + 2 * pad < kh || input[2] + 2 * pad < kw {
            c.shapeError("kernel \(kh)x\(kw) is larger than the padded input \(input[1] + 2 * pad)x\(input[2] + 2 * pad)",
                         expected: "at least \(kh)x\(kw)", id: "E0302")
            return nil
        }
        guard c.expectInput(input[0], message: { "'conv' expects \($0) input channels, got \(input[0])" },
                            expected: { "[N, \($0), H, W]" }) else { return nil }
        let conv = Conv(out: out, kernelHeight: kh, kernelWidth: kw, stride: stride, padding: pad, circular: circular, bias: bias)
        return (.conv(conv), conv.outputShape(input: input))
    }

    static func kernelSize(_ e: Expr, _ c: LayerClause) -> (Int, Int)? {
        switch e.kind {
        case .dimensions(let d) where d.count == 2 && d.allSatisfy({ $0 > 0 }):
            return (d[0], d[1])
        default:
            guard let k = c.positiveInteger(e, what: "kernel size") else { return nil }
            return (k, k)
        }
    }

    public var name: String { "conv" }
    public var summary: String {
        var s = "conv \(kernelHeight)x\(kernelWidth)"
        if stride != 1 { s += " stride \(stride)" }
        if padding != 0 { s += " pad \(padding)" + (circular ? " circular" : "") }
        if !bias { s += " no bias" }
        return s
    }
    public var autoNamePrefix: String { "conv" }
    public func outputShape(input: [Int]) -> [Int] {
        [out, (input[1] + 2 * padding - kernelHeight) / stride + 1, (input[2] + 2 * padding - kernelWidth) / stride + 1]
    }
    public var mixesChannels: Bool { true }
    public var window: SamplingWindow? {
        SamplingWindow(height: kernelHeight, width: kernelWidth, stride: stride, padding: padding, circular: circular)
    }

    public func tensors(input: [Int], output: [Int]) -> [TensorSpec] {
        [TensorSpec("weight", [out, input[0], kernelHeight, kernelWidth],
                    axes: [.outputChannels, .inputChannels, .kernel(height: kernelHeight, width: kernelWidth)],
                    initialization: .kaimingUniform)]
            + (bias ? [TensorSpec("bias", [out], axes: [.outputChannels], initialization: .biasUniform)] : [])
    }

    public func outputLayout(input: FeatureLayout, output: [Int]) -> FeatureLayout { .following(input, output: output) }
}
