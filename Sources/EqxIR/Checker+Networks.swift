import EqxSyntax

/// Layer heads the checker knows, for "did you mean" and the reference docs.
public let layerKinds = ["conv", "linear", "dense", "relu", "leaky_relu", "tanh", "sigmoid", "maxpool", "avgpool",
                         "global", "batchnorm", "layernorm", "flatten", "dropout", "residual"]

/// Builds layers from clauses while tracking the feature shape, so every mismatch is caught with both
/// shapes and where the input came from.
struct NetworkBuilder {
    var counters: [String: Int] = [:]
    var usedNames: Set<String> = []
    /// The layer that produced the current shape, for "the input comes from" notes.
    var lastLayer: (name: String, range: SourceRange)?
    var depth = 0

    mutating func autoName(_ kind: String, prefix: String) -> String {
        counters[kind, default: 0] += 1
        return prefix + kind + String(counters[kind]!)
    }
}

extension Checker {
    /// Instantiates a `net` for samples of `inputShape`; nil after reporting errors.
    func instantiate(_ call: Value, inputShape: [Int], at range: SourceRange) -> NetworkSpec? {
        let name: String
        var args: [String: Value] = [:]
        var callRange = range
        switch call {
        case .netDeclaration(let n): name = n
        case .netCall(let n, let a, let r): name = n; args = a; callRange = r
        default: return nil
        }
        guard case .net(let decl)? = scope.lookup(name)?.binding else { return nil }
        instantiatedDeclarations.insert(decl.range.start)
        var bindings: [String: Value] = [:]
        for p in decl.parameters {
            if let v = args[p.name.name] {
                bindings[p.name.name] = v
            } else if let d = p.defaultValue {
                guard let v = evaluate(d) else { return nil }
                bindings[p.name.name] = v
            } else {
                error("E0406", "'\(name)' needs a value for '\(p.name.name)'", at: callRange,
                      notes: [DiagnosticNote("parameter declared at \(location(p.name.range))", range: p.name.range)],
                      help: "write \(name)(\(p.name.name): ...)")
                return nil
            }
        }
        let display = decl.parameters.isEmpty ? name
            : name + "(" + decl.parameters.map { "\($0.name.name): \(bindings[$0.name.name]!.display)" }.joined(separator: ", ") + ")"
        let errorsBefore = errorCount
        var builder = NetworkBuilder()
        var shape = inputShape
        var built: [Layer]?
        withChildScope {
            for (k, v) in bindings { scope.define(k, .value(v), range: decl.range) }
            built = buildLayers(decl.clauses, shape: &shape, builder: &builder, prefix: "")
        }
        guard let layers = built, errorCount == errorsBefore else { return nil }
        if layers.isEmpty {
            error("E0301", "network '\(name)' has no layers", at: decl.range)
            return nil
        }
        let spec = NetworkSpec(name: display, layers: layers, inputShape: inputShape, outputShape: shape, range: decl.range)
        networks[display] = spec
        return spec
    }

    /// Nil when a layer failed: with an error, or silently on a poisoned name whose error was reported.
    func buildLayers(_ clauses: [Clause], shape: inout [Int], builder: inout NetworkBuilder, prefix: String) -> [Layer]? {
        var layers: [Layer] = []
        for c in clauses {
            guard let layer = buildLayer(c, shape: &shape, builder: &builder, prefix: prefix) else {
                return nil   // later shapes would only repeat the same error
            }
            layers.append(contentsOf: layer)
        }
        return layers
    }

    private func buildLayer(_ c: Clause, shape: inout [Int], builder: inout NetworkBuilder, prefix: String) -> [Layer]? {
        let head = c.head.name
        // A reusable block: `stage(64)` or `stage`.
        if let found = resolve(head, at: c.head.range), case .block(let decl) = found.binding {
            return expandBlock(decl, c, shape: &shape, builder: &builder, prefix: prefix)
        }
        var mods = ModifierReader(clause: c, checker: self)
        let input = shape
        var kind: LayerKind
        var channels: ChannelAction? = nil
        if let e = mods.take("channels") {
            guard let s = symbol(e, what: "channel action", among: ["trivial", "regular"]) else { return nil }
            channels = ChannelAction(rawValue: s)
        }
        func needImage() -> Bool {
            if input.count == 3 { return true }
            shapeError(c, "'\(head)' needs an image-shaped input [N, C, H, W], got [N, \(input.map(String.init).joined(separator: ", "))]",
                       expected: "[N, C, H, W]", builder: builder)
            return false
        }
        func noArguments() -> Bool {
            if c.arguments.isEmpty && c.output == nil { return true }
            error("E0406", "'\(head)' takes no arguments", at: c.arguments.first?.range ?? c.output!.range)
            return false
        }
        func outputCount() -> Int? {
            guard let o = c.output else {
                error("E0406", "'\(head)' needs an output size: \(head) -> 64", at: c.head.range); return nil
            }
            return positiveInteger(o, what: "output size")
        }
        switch head {
        case "conv":
            guard needImage(), let out = outputCount() else { return nil }
            guard c.arguments.count == 1 else {
                error("E0406", "conv needs a kernel size: conv 3x3 -> \(out)", at: c.head.range); return nil
            }
            guard let (kh, kw) = kernelSize(c.arguments[0]) else { return nil }
            let stride = mods.positive("stride") ?? 1
            var pad = 0
            if let e = mods.take("pad") {
                if case .identifier("same") = e.kind {
                    guard kh % 2 == 1, kw % 2 == 1, kh == kw else {
                        error("E0302", "pad same needs an odd square kernel", at: e.range); return nil
                    }
                    pad = kh / 2
                } else {
                    guard let p = nonNegativeInteger(e, what: "padding") else { return nil }
                    guard p <= 65_536 else { error("E0302", "padding \(p) is larger than any feature map", at: e.range); return nil }
                    pad = p
                }
            }
            var circular = false
            if let e = mods.take("padding") {
                guard let s = symbol(e, what: "padding mode", among: ["zeros", "circular"]) else { return nil }
                circular = s == "circular"
            }
            let bias = mods.bool("bias") ?? true
            let h = (input[1] + 2 * pad - kh) / stride + 1, w = (input[2] + 2 * pad - kw) / stride + 1
            if input[1] + 2 * pad < kh || input[2] + 2 * pad < kw {
                shapeError(c, "kernel \(kh)x\(kw) is larger than the padded input \(input[1] + 2 * pad)x\(input[2] + 2 * pad)",
                           expected: "at least \(kh)x\(kw)", builder: builder, id: "E0302")
                return nil
            }
            if let want = mods.positive("in"), want != input[0] {
                shapeError(c, "'\(head)' expects \(want) input channels, got \(input[0])",
                           expected: "[N, \(want), H, W]", builder: builder)
                return nil
            }
            kind = .conv(out: out, kernelHeight: kh, kernelWidth: kw, stride: stride, padding: pad, circular: circular, bias: bias)
            shape = [out, h, w]
        case "linear", "dense":
            guard let out = outputCount() else { return nil }
            if !c.arguments.isEmpty { error("E0406", "'\(head)' takes only an output size: \(head) -> \(out)", at: c.arguments[0].range); return nil }
            let bias = mods.bool("bias") ?? true
            let features = input.reduce(1, *)
            if let want = mods.positive("in"), want != (head == "dense" ? input[0] : features) {
                let got = head == "dense" ? input[0] : features
                shapeError(c, "shape mismatch in '\(c.label?.name ?? head)': expected input [N, \(want)], got [N, \(got)]",
                           expected: "[N, \(want)]", builder: builder)
                return nil
            }
            if head == "dense" {
                guard needImage() else { return nil }
                kind = .dense(out: out, bias: bias)
                shape = [out, input[1], input[2]]
                let weights = checkedProduct([out, features, input[1], input[2]])
                if weights.map({ $0 > 400_000_000 }) ?? true {
                    error("E0302", "dense layer would have \(weights.map(String.init) ?? "more than 2^63") weights", at: c.range,
                          help: "dense maps every pixel to every pixel; use it on small grids (graphs), or a conv")
                    return nil
                }
            } else {
                kind = .linear(out: out, bias: bias)
                shape = [out]
            }
        case "relu", "tanh", "sigmoid", "flatten":
            guard noArguments() else { return nil }
            kind = head == "relu" ? .relu : head == "tanh" ? .tanh : head == "sigmoid" ? .sigmoid : .flatten
            if head == "flatten" { shape = [input.reduce(1, *)] }
        case "leaky_relu":
            var slope = 0.01
            if c.arguments.count == 1 { guard let s = number(c.arguments[0], what: "slope") else { return nil }; slope = s }
            kind = .leakyRelu(slope: slope)
        case "dropout":
            guard c.arguments.count == 1, let p = number(c.arguments[0], what: "dropout probability"), p >= 0, p < 1 else {
                error("E0406", "dropout takes a probability in [0, 1): dropout 0.5", at: c.range); return nil
            }
            kind = .dropout(p)
        case "maxpool", "avgpool":
            guard needImage() else { return nil }
            guard c.arguments.count == 1, let k = positiveInteger(c.arguments[0], what: "pool size") else {
                if c.arguments.count != 1 { error("E0406", "\(head) needs a size: \(head) 2", at: c.head.range) }
                return nil
            }
            let s = mods.positive("stride") ?? k
            guard input[1] >= k, input[2] >= k else {
                shapeError(c, "pool size \(k) is larger than the input \(input[1])x\(input[2])",
                           expected: "at least \(k)x\(k)", builder: builder, id: "E0302")
                return nil
            }
            kind = head == "maxpool" ? .maxPool(kernel: k, stride: s) : .avgPool(kernel: k, stride: s)
            shape = [input[0], (input[1] - k) / s + 1, (input[2] - k) / s + 1]
        case "global":
            guard c.arguments.count == 1, case .identifier("avgpool") = c.arguments[0].kind else {
                error("E0406", "write 'global avgpool'", at: c.range); return nil
            }
            guard needImage() else { return nil }
            kind = .globalAvgPool
            shape = [input[0]]
        case "batchnorm":
            guard noArguments() else { return nil }
            guard input.count == 3 || input.count == 1 else {
                shapeError(c, "batchnorm needs [N, C, H, W] or [N, C], got [N, \(input.map(String.init).joined(separator: ", "))]",
                           expected: "[N, C, H, W] or [N, C]", builder: builder)
                return nil
            }
            let affine = mods.bool("affine") ?? true
            var momentum: Double? = 0.1
            if let e = mods.take("momentum") {
                guard let m = number(e, what: "momentum"), m > 0, m <= 1 else {
                    error("E0406", "batchnorm momentum must be in (0, 1]", at: e.range); return nil
                }
                momentum = m
            }
            kind = .batchNorm(affine: affine, momentum: momentum)
        case "layernorm":
            guard noArguments() else { return nil }
            let affine = mods.bool("affine") ?? true
            var dims = input.count
            if let e = mods.take("over") {
                guard let s = symbol(e, what: "layernorm axes", among: ["all", "spatial"]) else { return nil }
                if s == "spatial" {
                    guard needImage() else { return nil }
                    dims = 2
                }
            }
            kind = .layerNorm(dimensions: dims, affine: affine)
        case "residual":
            guard let body = c.body, c.arguments.isEmpty else {
                error("E0406", "residual needs a body: residual { conv 3x3 -> 16 pad 1; relu }", at: c.range); return nil
            }
            var inner = input
            builder.depth += 1
            let built = buildLayers(body, shape: &inner, builder: &builder, prefix: prefix)
            builder.depth -= 1
            guard let layers = built else { return nil }
            if inner != input {
                error("E0303", "residual body changes the shape from [N, \(input.map(String.init).joined(separator: ", "))] to [N, \(inner.map(String.init).joined(separator: ", "))]",
                      at: c.head.range, label: "the shortcut adds the input to the body's output",
                      help: "keep channels and size inside a residual block (pad 'same', stride 1)")
                return nil
            }
            kind = .residual(layers)
        default:
            unknownLayer(c.head)
            return nil
        }
        guard mods.finish(allowed: allowedModifiers(head)) else { return nil }
        // Sizes come from the script: keep every count far from Int overflow (and from any real memory).
        if checkedProduct(shape).map({ $0 > 1 << 32 }) ?? true {
            error("E0302", "'\(head)' would output [N, \(shape.map(String.init).joined(separator: ", "))], more than 2^32 values per sample",
                  at: c.head.range)
            return nil
        }
        let probe = Layer(name: head, kind: kind, inputShape: input, outputShape: shape, channels: nil, range: c.range)
        if probe.parameterShapes.contains(where: { checkedProduct($0.1).map { $0 > 1 << 40 } ?? true }) {
            error("E0302", "'\(head)' would have more than 2^40 parameters", at: c.head.range)
            return nil
        }
        if c.body != nil, head != "residual" {
            error("E0406", "'\(head)' takes no body", at: c.range); return nil
        }
        let kindKey: String
        switch kind {
        case .batchNorm: kindKey = "bn"
        case .layerNorm: kindKey = "ln"
        case .conv, .linear, .dense: kindKey = kind.name
        default: kindKey = String(kind.name.map { $0 == " " ? "_" : $0 })
        }
        var name: String
        if let label = c.label {
            name = prefix + label.name
            if builder.usedNames.contains(name) {
                error("E0402", "layer name '\(label.name)' is used twice", at: label.range); return nil
            }
        } else {
            name = builder.autoName(kindKey, prefix: prefix)
            while builder.usedNames.contains(name) { name = builder.autoName(kindKey, prefix: prefix) }
        }
        builder.usedNames.insert(name)
        builder.lastLayer = (name, c.range)
        return [Layer(name: name, kind: kind, inputShape: input, outputShape: shape, channels: channels, range: c.range)]
    }

    private func allowedModifiers(_ head: String) -> [String] {
        switch head {
        case "conv": return ["stride", "pad", "padding", "bias", "in", "channels"]
        case "linear", "dense": return ["bias", "in", "channels"]
        case "maxpool", "avgpool": return ["stride", "channels"]
        case "batchnorm": return ["affine", "momentum", "channels"]
        case "layernorm": return ["affine", "over", "channels"]
        default: return ["channels"]
        }
    }

    private func expandBlock(_ decl: NetDeclaration, _ c: Clause, shape: inout [Int], builder: inout NetworkBuilder,
                             prefix: String) -> [Layer]? {
        guard builder.depth < 16 else {
            error("E0406", "blocks nest too deeply (is '\(decl.name)' using itself?)", at: c.head.range); return nil
        }
        // Arguments: `stage(64)` or `stage 64` (positional), `stage c 64` (by name, as a modifier).
        var positional: [Expr] = []
        var labelled: [String: Expr] = [:]
        for a in c.arguments {
            if case .list(let items) = a.kind, c.arguments.count == 1 { positional.append(contentsOf: items) } else { positional.append(a) }
        }
        for m in c.modifiers { labelled[m.name.name] = m.value }
        var bindings: [String: Value] = [:]
        let names = decl.parameters.map(\.name.name)
        if positional.count > names.count {
            error("E0406", "block '\(decl.name)' takes \(names.count) argument(s), got \(positional.count)", at: c.range); return nil
        }
        for (i, e) in positional.enumerated() { guard let v = evaluate(e) else { return nil }; bindings[names[i]] = v }
        for (k, e) in labelled {
            guard names.contains(k) else {
                error("E0406", "block '\(decl.name)' has no parameter '\(k)'", at: e.range); return nil
            }
            guard let v = evaluate(e) else { return nil }; bindings[k] = v
        }
        for p in decl.parameters where bindings[p.name.name] == nil {
            guard let d = p.defaultValue else {
                error("E0406", "block '\(decl.name)' needs a value for '\(p.name.name)'", at: c.range); return nil
            }
            guard let v = evaluate(d) else { return nil }
            bindings[p.name.name] = v
        }
        instantiatedDeclarations.insert(decl.range.start)
        builder.counters[decl.name, default: 0] += 1
        let innerPrefix = prefix + (c.label?.name ?? "\(decl.name)\(builder.counters[decl.name]!)") + "."
        var result: [Layer]?
        builder.depth += 1
        withChildScope {
            for (k, v) in bindings { scope.define(k, .value(v), range: decl.range) }
            var inner = NetworkBuilder()
            inner.depth = builder.depth
            inner.lastLayer = builder.lastLayer
            result = buildLayers(decl.clauses, shape: &shape, builder: &inner, prefix: innerPrefix)
            builder.lastLayer = inner.lastLayer
        }
        builder.depth -= 1
        return result
    }

    private func kernelSize(_ e: Expr) -> (Int, Int)? {
        switch e.kind {
        case .dimensions(let d) where d.count == 2 && d.allSatisfy({ $0 > 0 }):
            return (d[0], d[1])
        default:
            guard let k = positiveInteger(e, what: "kernel size") else { return nil }
            return (k, k)
        }
    }

    func shapeError(_ c: Clause, _ message: String, expected: String, builder: NetworkBuilder, id: String = "E0301") {
        var notes: [DiagnosticNote] = []
        if let last = builder.lastLayer {
            notes.append(DiagnosticNote("the input comes from '\(last.name)' at \(location(last.range))", range: last.range))
        } else {
            notes.append(DiagnosticNote("the input is the data sample"))
        }
        error(id, message, at: c.head.range, label: "expected \(expected)", notes: notes)
    }
}

/// Takes a clause's modifiers one by one and reports the ones nobody asked for.
struct ModifierReader {
    let clause: Clause
    let checker: Checker
    private var used: Set<Int> = []

    init(clause: Clause, checker: Checker) { self.clause = clause; self.checker = checker }

    mutating func take(_ name: String) -> Expr? {
        for (i, m) in clause.modifiers.enumerated() where m.name.name == name && !used.contains(i) {
            used.insert(i)
            return m.value
        }
        return nil
    }

    mutating func positive(_ name: String) -> Int? {
        take(name).flatMap { checker.positiveInteger($0, what: name) }
    }

    mutating func bool(_ name: String) -> Bool? {
        guard let e = take(name) else { return nil }
        if case .bool(let b) = e.kind { return b }
        checker.error("E0403", "'\(name)' takes true or false", at: e.range)
        return nil
    }

    func finish(allowed: [String]) -> Bool {
        var ok = true
        for (i, m) in clause.modifiers.enumerated() where !used.contains(i) {
            let s = suggestion(for: m.name.name, among: allowed)
            if allowed.contains(m.name.name) {
                checker.error("E0406", "'\(m.name.name)' given twice", at: m.name.range)
            } else {
                checker.error("E0404", "'\(clause.head.name)' has no option '\(m.name.name)'", at: m.name.range,
                              label: allowed.isEmpty ? "takes no options" : "options: \(allowed.joined(separator: ", "))",
                              help: s.map { "did you mean '\($0)'?" }, fixIts: s.map { [FixIt(range: m.name.range, replacement: $0)] } ?? [])
            }
            ok = false
        }
        return ok
    }
}

/// The product of sizes, or nil when it overflows `Int`.
func checkedProduct(_ sizes: [Int]) -> Int? {
    var p = 1
    for s in sizes {
        let (r, overflow) = p.multipliedReportingOverflow(by: s)
        if overflow { return nil }
        p = r
    }
    return p
}
