import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation

/// What an expression typed at the prompt denotes.
enum QueryValue {
    /// A network with weights (trained, merged at α, loaded, or transformed by a group element).
    case network(NetworkSpec, title: String, train: TrainSpec?)
    /// A `net` declaration, instantiated on the session's latest data when there is some.
    case declaration(String, NetworkSpec?, data: String?)
    case block(String)
    case group(GroupSpec, name: String)
    case data(DataRef, DataSpec)
    case merge(MergeSpec)
    /// What `report` accepts: numbers, strings and measurements.
    case measurements([ReportItemSpec])
    /// A value with nothing more to show than its type (a list, a range, a size…).
    case other(type: String)
}

/// Queries are answered by the checker itself: the expression is placed in a hidden statement after the
/// session script (`report E`, `report parameters(E)`, `group _ = E`, …) and the checked program says what
/// it is. The hidden statement is never kept and never run.
extension ReplSession {
    static let probeName = "__repl_value"
    static let probeNet = "__repl_probe_net"
    static let probeCheckpoint = "__repl_probe.safetensors"

    /// The expression's text without the input's final line break.
    func expressionText(_ input: SourceFile) -> String {
        var t = input.text
        while t.last == "\n" || t.last == " " { t.removeLast() }
        return t
    }

    /// The expression in canonical form on one line (`[1, 2, 3]`), for answers that echo it.
    func canonicalText(_ input: SourceFile) -> String {
        let (ast, _) = parse(SourceFile(name: "<repl>", text: ReplSession.queryPrefix + input.text))
        if ast.statements.count == 1, case .report(nil, let items) = ast.statements[0].kind, items.count == 1 {
            return format(items[0].value)
        }
        return expressionText(input).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Checks the session script followed by `before E after`; positions inside E map back onto `input`.
    func probe(_ input: SourceFile, before: String, after: String = "") -> (CheckedScript, ComposedScript) {
        let segment = Segment(origin: .query, text: before + expressionText(input) + after, display: input,
                              shift: before.utf8.count)
        let composed = script.composed(with: [segment])
        return (check(composed, probing: true), composed)
    }

    /// The last top-level data declaration: what a bare `net` is instantiated on.
    var latestData: String? { declarations.last { $0.kind == .data }?.name }

    func program() -> Program? { accepted?.program }

    func trainSpec(_ id: String) -> TrainSpec? {
        for case .train(let t) in (program()?.steps ?? []).reversed() where t.id == id { return t }
        return nil
    }

    func mergeSpec(_ id: String) -> MergeSpec? {
        for case .merge(let m) in (program()?.steps ?? []).reversed() where m.id == id { return m }
        return nil
    }

    /// The step of the latest top-level `data`, `train` or `merge` statement declaring `name`, found by the
    /// statement's range: its id may differ from the name (a redefinition's instance is `name~2`, …).
    private func step(declaring name: String) -> Step? {
        for s in (accepted?.script.statements ?? []).reversed() {
            switch s.kind {
            case .data(let n, _, _), .train(let n, _, _, _), .merge(let n, _, _, _):
                guard n.name == name else { continue }
                return (program()?.steps ?? []).last { $0.range == s.range }
            default: continue
            }
        }
        return nil
    }

    func trainSpec(named name: String) -> TrainSpec? {
        if case .train(let t)? = step(declaring: name) { return t } else { return nil }
    }

    func mergeSpec(named name: String) -> MergeSpec? {
        if case .merge(let m)? = step(declaring: name) { return m } else { return nil }
    }

    func dataSpec(named name: String) -> DataSpec? {
        if case .data(let d)? = step(declaring: name) { return d } else { return nil }
    }

    func dataSpec(_ id: String) -> DataSpec? {
        for case .data(let d) in (program()?.steps ?? []).reversed() where d.id == id { return d }
        return nil
    }

    /// The network behind a model reference and the training run at its root.
    func network(of ref: ModelRef) -> (NetworkSpec, TrainSpec?)? {
        switch ref {
        case .trained(let id): return trainSpec(id).map { ($0.network, $0) }
        case .merged(let id, _, _):
            guard let m = mergeSpec(id) else { return nil }
            return (m.network, rootTrain(of: m.base))
        case .loaded(_, let net): return (net, nil)
        case .transformed(let inner, _, _): return network(of: inner)
        }
    }

    private func rootTrain(of ref: ModelRef) -> TrainSpec? {
        switch ref {
        case .trained(let id): return trainSpec(id)
        case .merged(let id, _, _): return mergeSpec(id).flatMap { rootTrain(of: $0.base) }
        case .transformed(let inner, _, _): return rootTrain(of: inner)
        case .loaded: return nil
        }
    }

    /// Resolves an expression; on failure, the rendered diagnostics.
    func resolve(_ input: SourceFile) -> (QueryValue?, String) {
        let wrapper = Segment(origin: .query, text: ReplSession.queryPrefix + input.text, display: input,
                              shift: ReplSession.queryPrefix.utf8.count)
        let (ast, syntax) = parse(SourceFile(name: "<repl>", text: wrapper.text))
        let syntaxErrors = syntax.filter { $0.severity == .error }
        if !syntaxErrors.isEmpty { return (nil, render(syntaxErrors, in: ComposedScript(segments: [wrapper]))) }
        guard ast.statements.count == 1, case .report(nil, let items) = ast.statements[0].kind else {
            return (nil, "error: expected one expression, such as a name, accuracy(net, data.test) or 1 + 2\n")
        }
        let single = items.count == 1 && items[0].label == nil ? items[0].value : nil
        if let e = single, case .identifier(let name) = e.kind, let kind = declaration(name),
           let value = namedValue(name, kind, input) {
            return (value, "")
        }

        let (reported, composed) = probe(input, before: ReplSession.queryPrefix)
        var type = reportedType(reported.diagnostics)
        if case .report(let r)? = reported.program?.steps.last {
            // A bare network or merge reports a default quantity; show the thing itself instead.
            let isMember: Bool = { if case .member = single?.kind { return true } else { return false } }()
            switch (single != nil && !isMember, r.items.first?.measurement) {
            case (true, .trainQuantity(_, .finalAccuracy)?): type = "network"
            case (true, .mergeBarrier(let id, .barrier, nil)?):
                if let m = mergeSpec(id) { return (.merge(m), "") }
                return (.measurements(r.items), "")
            default: return (.measurements(r.items), "")
            }
        }
        guard let type else {
            return (nil, render(reported.diagnostics.filter { $0.severity == .error }, in: composed))
        }
        switch type {
        case "network":
            let (c, _) = probe(input, before: "report parameters(", after: ")")
            if case .report(let r)? = c.program?.steps.last, case .parameterCount(let ref)? = r.items.first?.measurement,
               let (net, train) = network(of: ref) {
                return (.network(net, title: ref.description, train: train), "")
            }
        case "group":
            let (c, _) = probe(input, before: "group \(ReplSession.probeName) = ")
            if let g = c.program?.groups[ReplSession.probeName] { return (.group(g, name: expressionText(input)), "") }
        case "data":
            let before = "net \(ReplSession.probeNet) {\n  flatten\n}\nreport accuracy(load(\"\(ReplSession.probeCheckpoint)\", \(ReplSession.probeNet), "
            let (c, _) = probe(input, before: before, after: "), " + expressionText(input) + ")")
            if case .report(let r)? = c.program?.steps.last, case .accuracy(_, let ref)? = r.items.first?.measurement,
               let spec = dataSpec(ref.data) {
                return (.data(ref, spec), "")
            }
        case "net declaration":
            return (instantiate(input), "")
        case "block":
            return (.block(expressionText(input)), "")
        default:
            break
        }
        return (.other(type: type), "")
    }

    /// `cannot report a group` → `group`.
    private func reportedType(_ diagnostics: [Diagnostic]) -> String? {
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.count == 1, errors[0].id == "E0403" else { return nil }
        let m = errors[0].message
        guard let r = m.range(of: "cannot report a ") else { return nil }
        return String(m[r.upperBound...])
    }

    /// A name declared at the top level of the session.
    private func namedValue(_ name: String, _ kind: Declaration, _ input: SourceFile) -> QueryValue? {
        switch kind {
        case .data: return dataSpec(named: name).map { .data(DataRef(data: $0.id, split: .all), $0) }
        case .group: return program()?.groups[name].map { .group($0, name: name) }
        case .train: return trainSpec(named: name).map { .network($0.network, title: name, train: $0) }
        case .merge: return mergeSpec(named: name).map { .merge($0) }
        case .net: return instantiate(input)
        case .block: return .block(name)
        case .value: return nil
        }
    }

    /// A net declaration (or call such as `cnn(width: 8)`) instantiated on the latest data, if any.
    private func instantiate(_ input: SourceFile) -> QueryValue {
        let text = expressionText(input)
        guard let data = latestData else { return .declaration(text, nil, data: nil) }
        let (c, _) = probe(input, before: "report parameters(load(\"\(ReplSession.probeCheckpoint)\", ", after: ", \(data)))")
        if case .report(let r)? = c.program?.steps.last, case .parameterCount(.loaded(_, let net))? = r.items.first?.measurement {
            return .declaration(text, net, data: data)
        }
        return .declaration(text, nil, data: nil)
    }

    // MARK: Showing values

    enum Detail { case value, info, type, shape }

    /// The executor, created on first use (a query before anything ran).
    func ensureExecutor() -> Executor? {
        if executor == nil, let p = program() { executor = makeExecutor(p) }
        return executor
    }

    /// Text for a resolved value at the requested level of detail. Measurements are computed here.
    func show(_ value: QueryValue, _ detail: Detail, text: String) throws -> String {
        switch value {
        case let .network(net, title, train):
            let hidden = train?.channels.hidden ?? .trivial
            var group: GroupSpec?
            if case .equivariant(let g)? = train?.mode { group = g }
            switch detail {
            case .type:
                return "\(text) : network \(net.name), \(formatShape(net.inputShape)) → \(formatShape(net.outputShape))"
                    + (train.map { names($0, title) ? incompleteNote($0.id) : "" } ?? "") + "\n"
            case .shape: return ValueDisplay.shapes(net, title: title)
            case .value, .info:
                var out = ValueDisplay.network(net, title: "\(title): \(net.name)",
                                               channels: detail == .info ? ValueDisplay.channelColumn(net, hidden: hidden, group: group, learned: train?.channels.learned) : nil)
                if let t = train, names(t, title) || detail == .info {
                    out += ValueDisplay.trainingSummary(t, outcome: executor?.trained[t.id]?.outcome)
                }
                return out
            }
        case let .declaration(name, net, data):
            switch detail {
            case .type: return "\(text) : net declaration\n"
            case .shape, .value, .info:
                guard let net else {
                    if detail == .shape { throw QueryError("'\(name)' has no shapes until it meets data: declare data first") }
                    return "net \(name): shapes are known once it meets data (declare data first)\n"
                        + declarationText(of: name)
                }
                let title = "net \(net.name) on \(data ?? "data")"
                if detail == .shape { return ValueDisplay.shapes(net, title: title) }
                return ValueDisplay.network(net, title: title,
                                            channels: detail == .info ? ValueDisplay.channelColumn(net, hidden: .trivial, group: nil) : nil)
            }
        case .block(let name):
            if detail == .type { return "\(text) : block\n" }
            if detail == .shape { throw QueryError("a block has no shapes of its own; it takes them from the net it is used in") }
            return declarationText(of: name)
        case let .group(g, name):
            let shape = latestData.flatMap { dataSpec(named: $0) }?.sampleShape
            switch detail {
            case .type: return "\(text) : group \(g)\n"
            case .shape: throw QueryError("a group has no shape; :info \(text) shows its elements")
            case .value, .info: return ValueDisplay.group(g, name: name, inputShape: shape, details: detail == .info)
            }
        case let .data(ref, spec):
            let samples = try executor?.data[spec.id].map { try $0.resolve(ref) }
            switch detail {
            case .type: return "\(text) : data, samples \(formatShape(spec.sampleShape))\n"
            case .shape:
                return "\(ref): samples \(formatShape(spec.sampleShape))"
                    + (samples.map { ", \(formatCount($0.count)) of them" } ?? "") + "\n"
            case .value, .info: return ValueDisplay.data(ref, spec: spec, samples: samples, details: detail == .info)
            }
        case .merge(let m):
            switch detail {
            case .type: return "\(text) : merge of \(m.network.name)\n"
            case .shape: return ValueDisplay.shapes(m.network, title: "merge \(m.id): \(m.network.name)")
            case .value, .info: return ValueDisplay.merge(m, outcome: executor?.merges[m.id]?.outcome, details: detail == .info)
            }
        case .measurements(let items):
            switch detail {
            case .type:
                let kinds = items.map { item -> String in
                    switch item.measurement {
                    case .number: return "number"
                    case .text: return "string"
                    default: return "measurement"
                    }
                }
                return "\(text) : \(kinds.joined(separator: ", "))\n"
            case .shape: throw QueryError("'\(text)' is a value, not a network or data; it has no shape")
            case .value, .info:
                var columns: [(String, ResultTable.Value)] = []
                for item in items {
                    switch item.measurement {
                    case .number(let x):
                        columns.append((item.label, x == x.rounded() && abs(x) < 1e15 ? .int(Int(x)) : .double(x)))
                    case .text(let s): columns.append((item.label, .string(s)))
                    default:
                        guard let exec = ensureExecutor() else { throw QueryError("nothing has run yet") }
                        columns += try exec.measure(item.measurement, label: item.label)
                    }
                }
                return ValueDisplay.values(columns)
            }
        case .other(let type):
            if detail == .shape { throw QueryError("a \(type) has no shape") }
            return "\(text) : \(type)\n"
        }
    }

    /// True when `title` is the training itself (not a merge or transform of it): its id, or the name it
    /// was declared under.
    private func names(_ train: TrainSpec, _ title: String) -> Bool {
        title == train.id || trainSpec(named: title)?.id == train.id
    }

    /// The declaration of `name` in canonical form.
    func declarationText(of name: String) -> String {
        guard let ast = accepted?.script else { return "" }
        for s in ast.statements.reversed() {   // the latest declaration: a redefinition shadows
            switch s.kind {
            case .net(let n, _, _), .block(let n, _, _):
                if n.name == name {
                    var plain = s
                    plain.trivia = Trivia()
                    return format(Script(statements: [plain]))
                }
            default: continue
            }
        }
        return ""
    }

    /// A query typed at the prompt: print its value.
    func evaluate(_ input: SourceFile) -> ReplResponse {
        answer(input, .value)
    }

    func answer(_ input: SourceFile, _ detail: Detail) -> ReplResponse {
        var response = ReplResponse()
        let (value, errors) = resolve(input)
        guard let value else {
            response.errors = errors
            response.failure = .invalidInput
            return response
        }
        do {
            response.output = try show(value, detail, text: canonicalText(input))
        } catch let e as QueryError {
            response.errors = "error: \(e.message)\n"
            response.failure = .usage
        } catch {
            response.failure = describe(error, composed: script.composed(), into: &response.errors)
        }
        return response
    }
}

struct QueryError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
