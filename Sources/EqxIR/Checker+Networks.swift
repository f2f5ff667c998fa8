import EqxSyntax

/// Layer heads the checker knows, for "did you mean" and the reference docs: every kind's heads.
public let layerKinds = LayerKind.definitions.flatMap { $0.heads }

/// The kind that reads each clause head.
let layerDefinitionByHead: [String: any LayerDefinition.Type] = Dictionary(
    uniqueKeysWithValues: LayerKind.definitions.flatMap { kind in kind.heads.map { ($0, kind) } })

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
        guard let definition = layerDefinitionByHead[head] else {
            unknownLayer(c.head)
            return nil
        }
        let input = shape
        let reading = LayerClause(c, input: input, checker: self, builder: builder, prefix: prefix)
        var channels: ChannelAction? = nil
        if let e = reading.options.take("channels") {
            guard let s = symbol(e, what: "channel action", among: ["trivial", "regular"]) else { return nil }
            channels = ChannelAction(rawValue: s)
        }
        guard let (kind, output) = definition.build(reading) else { return nil }
        builder = reading.builder
        shape = output
        guard reading.options.finish(allowed: definition.options(head: head) + ["channels"]) else { return nil }
        // Sizes come from the script: keep every count far from Int overflow (and from any real memory).
        if checkedProduct(shape).map({ $0 > 1 << 32 }) ?? true {
            error("E0302", "'\(head)' would output [N, \(shape.map(String.init).joined(separator: ", "))], more than 2^32 values per sample",
                  at: c.head.range)
            return nil
        }
        if kind.definition.tensors(input: input, output: shape).contains(where: { checkedProduct($0.shape).map { $0 > 1 << 40 } ?? true }) {
            error("E0302", "'\(head)' would have more than 2^40 parameters", at: c.head.range)
            return nil
        }
        if c.body != nil, c.head.name != "residual" {
            error("E0406", "'\(head)' takes no body", at: c.range); return nil
        }
        if c.shortcut != nil, c.head.name != "residual" {
            error("E0406", "only a residual block takes a shortcut", at: c.range); return nil
        }
        var name: String
        if let label = c.label {
            name = prefix + label.name
            if builder.usedNames.contains(name) {
                error("E0402", "layer name '\(label.name)' is used twice", at: label.range); return nil
            }
        } else {
            let key = kind.definition.autoNamePrefix
            name = builder.autoName(key, prefix: prefix)
            while builder.usedNames.contains(name) { name = builder.autoName(key, prefix: prefix) }
        }
        builder.usedNames.insert(name)
        builder.lastLayer = (name, c.range)
        return [Layer(name: name, kind: kind, inputShape: input, outputShape: shape, channels: channels, range: c.range)]
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
