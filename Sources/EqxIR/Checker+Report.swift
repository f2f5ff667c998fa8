import EqxSyntax

extension Checker {
    /// `accuracy(m, d)`, `loss(m, d)`, `invariance(m, G, d)`, `equivariance(m, G, d)`, `distance_to_E(m, G)`,
    /// `parameters(m)`, `load("f.safetensors", net)`.
    func measurementCall(_ f: String, _ args: [Argument], range: SourceRange) -> Value? {
        let allowed: [String]
        switch f {
        case "accuracy": allowed = ["on", "under"]
        case "loss": allowed = ["on", "kind", "under"]
        case "invariance": allowed = ["on"]
        case "equivariance": allowed = ["on", "channels"]
        case "distance_to_E": allowed = ["channels", "layers"]
        case "gradient_identity": allowed = ["on", "channels", "kind"]
        case "parameters": allowed = []
        case "load": allowed = ["data"]
        default: return nil
        }
        guard let a = splitArguments(args, function: f, allowed: allowed) else { return nil }
        func arg(_ i: Int, _ label: String?, _ what: String) -> Expr? {
            if i < a.positional.count { return a.positional[i] }
            if let l = label, let (_, e) = a.labelled[l] { return e }
            error("E0406", "'\(f)' needs \(what)", at: range, help: usage(f))
            return nil
        }
        if f == "load" {
            guard let pe = arg(0, nil, "a checkpoint path"), let path = string(pe, what: "checkpoint path"),
                  let ne = arg(1, nil, "a network declaration"), let de = arg(2, "data", "the data it takes (for shapes)"),
                  let data = dataRef(de, what: "data"), let shape = dataShape(data),
                  let nv = evaluate(ne) else { return nil }
            guard let net = instantiate(nv, inputShape: shape, at: ne.range) else {
                if case .netDeclaration = nv {} else if case .netCall = nv {} else {
                    error("E0403", "load needs a net declaration, got a \(nv.typeName)", at: ne.range)
                }
                return nil
            }
            checkCheckpoint(path, fits: net, at: pe.range)
            return .model(.loaded(path: path, network: net), net)
        }
        guard let me = arg(0, nil, "a network"), let (net, refOpt) = model(me, inputShape: nil, what: "the network") else { return nil }
        guard let ref = refOpt else {
            error("E0403", "'\(f)' needs a trained network, not a declaration", at: me.range); return nil
        }
        let channelsRange = a.labelled["channels"].map { $0.0.range.union($0.1.range) }
        func channelsArg(_ g: GroupSpec, at groupRange: SourceRange) -> ChannelChoice? {
            guard let (_, ce) = a.labelled["channels"] else { return .trivial }
            return channelChoice(ce, group: g, groupRange: groupRange, network: net, networkRange: me.range)
        }
        /// The training's loss, or the one `kind:` names.
        func lossKind() -> LossKind? {
            var kind = LossKind.crossEntropy
            if case .trained(let id) = ref, let t = trainSpec(id) { kind = t.loss }
            if let (_, ke) = a.labelled["kind"] {
                guard let s = symbol(ke, what: "loss", among: ["crossentropy", "mse", "bce"]) else { return nil }
                kind = LossKind(rawValue: s)!
            }
            return kind
        }
        func data(_ i: Int) -> DataRef? {
            guard let de = arg(i, "on", "data"), let d = dataRef(de, what: "data") else { return nil }
            if let shape = dataShape(d), shape != net.inputShape {
                error("E0301", "'\(ref)' takes samples of shape \(net.inputShape), but \(d) has \(shape)", at: de.range); return nil
            }
            return d
        }
        switch f {
        case "accuracy", "loss":
            guard let d = data(1), let kind = lossKind() else { return nil }
            if let (_, ge) = a.labelled["under"] {
                guard let g = groupValue(ge) else { return nil }
                guard checkGroupActs(g, onInput: net.inputShape, at: ge.range) else { return nil }
                guard g.elementNames != nil || g.isEnumerable && !g.containsTranslations else {
                    error("E0505", "'under:' reports one column per element; \(g) has too many", at: ge.range)
                    return nil
                }
                return .measurement(.underEachElement(ref, d, kind, g, accuracy: f == "accuracy"))
            }
            if f == "accuracy" { return .measurement(.accuracy(ref, d)) }
            return .measurement(.loss(ref, d, kind))
        case "invariance", "equivariance":
            guard let ge = arg(1, nil, "a group"), let g = groupValue(ge), let d = data(2), let ch = channelsArg(g, at: ge.range) else { return nil }
            guard checkGroupActs(g, onInput: net.inputShape, at: ge.range) else { return nil }
            if f == "equivariance" {
                guard checkGroup(g, on: net, channels: ch.hidden, groupRange: ge.range, channelsRange: channelsRange) else { return nil }
                return .measurement(.equivariance(ref, g, ch, d))
            }
            return .measurement(.invariance(ref, g, d))
        case "distance_to_E":
            guard let ge = arg(1, nil, "a group"), let g = groupValue(ge), let ch = channelsArg(g, at: ge.range) else { return nil }
            guard checkGroup(g, on: net, channels: ch.hidden, groupRange: ge.range, channelsRange: channelsRange) else { return nil }
            var layers: [String]? = nil
            if let (_, le) = a.labelled["layers"] {
                guard let chosen = layerSelection(le, in: net) else { return nil }
                layers = chosen
            }
            return .measurement(.distanceToE(ref, g, ch, layers: layers))
        case "gradient_identity":
            guard let ge = arg(1, nil, "a group"), let g = groupValue(ge), let d = data(2), let ch = channelsArg(g, at: ge.range),
                  let kind = lossKind() else { return nil }
            guard checkGroup(g, on: net, channels: ch.hidden, groupRange: ge.range, channelsRange: channelsRange) else { return nil }
            let side = net.inputShape.count == 3 ? (net.inputShape[1], net.inputShape[2]) : (1, 1)
            guard g.isEnumerable, g.order(height: side.0, width: side.1) <= 10_000 else {
                error("E0505", "\(g) is too large for the full-orbit gradient of 'gradient_identity'", at: ge.range,
                      help: "the augmented gradient sums over every element; use a group of at most 10,000 elements")
                return nil
            }
            return .measurement(.gradientIdentity(ref, g, ch, d, kind))
        default: // parameters
            return .measurement(.parameterCount(ref))
        }
    }

    private func usage(_ f: String) -> String {
        switch f {
        case "accuracy": return "accuracy(net, digits.test) or accuracy(net, digits.test, under: rot)"
        case "loss": return "loss(net, digits.test)"
        case "invariance": return "invariance(net, flip, digits.test)"
        case "equivariance": return "equivariance(net, rot, digits.test)"
        case "distance_to_E": return "distance_to_E(net, rot), distance_to_E(net, flip, channels: regular) or distance_to_E(net, rot, layers: convs)"
        case "gradient_identity": return "gradient_identity(net, rot, digits.train[0..256]) or gradient_identity(net, flip, d, channels: regular)"
        case "parameters": return "parameters(net)"
        default: return "load(\"net.safetensors\", cnn(width: 16), digits.train)"
        }
    }

    func measurement(_ e: Expr, what: String) -> Measurement? {
        guard let v = evaluate(e) else { return nil }
        return measurement(v, at: e, what: what)
    }

    func measurement(_ v: Value, at e: Expr, what: String) -> Measurement? {
        switch v {
        case .measurement(let m): return m
        case .number(let x, _): return .number(x)
        case .string(let s): return .text(s)
        case .model(.trained(let id), _): return .trainQuantity(id, .finalAccuracy)
        case .mergeResult(let id, let curve): return .mergeBarrier(id, .barrier, curve: curve)
        case .symbol(let s): unknownName(s, at: e.range, expected: "name"); return nil
        default:
            error("E0403", "cannot \(what) a \(v.typeName)", at: e.range,
                  help: "\(what) measurements such as accuracy(net, data), m.barrier, invariance(net, G, data)")
            return nil
        }
    }

    func checkReport(_ items: [ReportItem], name: Identifier?, statement: Statement) {
        var specs: [ReportItemSpec] = []
        var labels = Set<String>()
        for item in items {
            guard let m = measurement(item.value, what: "report") else { continue }
            var label = item.label?.name ?? defaultLabel(item.value)
            var k = 2
            while labels.contains(label) { label = (item.label?.name ?? defaultLabel(item.value)) + "_\(k)"; k += 1 }
            labels.insert(label)
            specs.append(ReportItemSpec(label: label, measurement: m, range: item.value.range))
        }
        // One table per report statement; repeated statements (inside repeat/for) add rows to it.
        guard let table = outputName(name, derivedFrom: specs.map(\.label), .report, statement: statement),
              specs.count == items.count else { return }
        steps.append(.report(ReportSpec(table: table, row: rowKey, items: specs, range: statement.range)))
    }

    /// A column name from the expression as `eqx fmt` writes it (`accuracy(a,d.test)` → `accuracy(a, d.test)`),
    /// so a table does not depend on how its script is laid out.
    func defaultLabel(_ e: Expr) -> String {
        let text = format(e).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.isEmpty ? "value" : text
    }

    /// What a plot item draws and along which axis; nil (with a diagnostic) for what cannot be drawn.
    private func plotItem(_ item: ReportItem) -> (PlotItemSpec, axis: PlotSpec.Axis?, description: String)? {
        guard let value = evaluate(item.value) else { return nil }
        let m: Measurement
        switch value {
        // A bare merge or training name plots its curves.
        case .mergeResult(let id, let curve): m = .mergeBarrier(id, .curve, curve: curve)
        case .model(.trained(let id), _): m = .trainQuantity(id, .curve)
        default:
            guard let measured = measurement(value, at: item.value, what: "plot") else { return nil }
            m = measured
        }
        let axis: PlotSpec.Axis?, description: String, name: String
        switch m {
        case .mergeBarrier(let id, .curve, let curve):
            axis = .alpha; description = "a loss curve over α"; name = declaredName(id) + (curve.map { ".\($0.rawValue)" } ?? "")
        case .mergeBarrier(let id, .permutations, _):
            axis = nil; description = "a table of permutation statistics"; name = declaredName(id)
        case .trainQuantity(let id, .curve): axis = .step; description = "a training curve over steps"; name = declaredName(id)
        case .trainQuantity(let id, .distance): axis = .step; description = "a distance-to-E curve over steps"; name = declaredName(id)
        case .text: axis = nil; description = "a text"; name = defaultLabel(item.value)
        case .number, .accuracy, .loss, .underEachElement, .invariance, .equivariance, .distanceToE, .gradientIdentity, .parameterCount,
             .mergeBarrier, .trainQuantity:
            axis = .groups; description = "a number, drawn as dots"; name = defaultLabel(item.value)
        }
        var label = item.label?.name ?? name, series = ""
        if axis == .groups, let dot = label.firstIndex(of: ".") {
            series = String(label[label.index(after: dot)...])
            label = String(label[..<dot])
        }
        return (PlotItemSpec(label: label, series: series, measurement: m, range: item.value.range), axis, description)
    }

    /// The name the user declared: instance ids inside a loop carry the repetition (`plain#0`).
    func declaredName(_ id: String) -> String {
        guard !instanceSuffix.isEmpty, id.hasSuffix(instanceSuffix), id.count > instanceSuffix.count else { return id }
        return String(id.dropLast(instanceSuffix.count))
    }

    func checkPlot(_ items: [ReportItem], name: Identifier?, title: Expr?, size: Expr?, statement: Statement) {
        var specs: [PlotItemSpec] = []
        var first: (axis: PlotSpec.Axis?, description: String, item: ReportItem)?
        var failed = false
        for item in items {
            guard let (spec, axis, description) = plotItem(item) else { failed = true; continue }
            if let f = first, f.axis != axis {
                let a = defaultLabel(f.item.value), b = defaultLabel(item.value)
                error("E0410", "'\(b)' (\(description)) and '\(a)' (\(f.description)) cannot share the axes of one plot",
                      at: item.value.range, label: "\(description)",
                      notes: [DiagnosticNote("'\(a)' is \(f.description)", range: f.item.value.range)],
                      help: "plot them in separate plot statements")
                failed = true
                continue
            }
            if first == nil { first = (axis, description, item) }
            if axis == nil {
                error("E0403", "cannot plot \(description): plot draws m.curve (a merge), t.curve or t.distance (a training run), "
                      + "or numbers such as m.barrier (one dot per repetition)", at: item.value.range)
                failed = true
                continue
            }
            specs.append(spec)
        }
        var width = 252.0, height = 180.0
        if let size {
            if case .dimensions(let d) = size.kind {
                if d.count == 2, Double(d[0]) >= 144, Double(d[0]) <= 1440, Double(d[1]) >= 108, Double(d[1]) <= 1080 {
                    width = Double(d[0]); height = Double(d[1])
                } else {
                    error("E0406", "a plot size is WIDTHxHEIGHT in points (1/72 in), from 144x108 to 1440x1080", at: size.range,
                          help: "size column (252x180), size page (504x202) or for example size 360x240")
                    failed = true
                }
            } else if let s = symbol(size, what: "plot size", among: ["column", "page"]) {
                if s == "page" { width = 504; height = 202 }
            } else {
                failed = true
            }
        }
        guard !failed, let axis = first?.axis else { return }
        var names: [String] = []
        for s in specs where !names.contains(s.label) { names.append(s.label) }
        var titleText = names.joined(separator: ", ")
        var named = names
        if let t = title, let s = string(t, what: "plot title") { titleText = s; named = [s] }
        guard let figure = outputName(name, derivedFrom: named, .plot, statement: statement) else { return }
        steps.append(.plot(PlotSpec(name: figure, title: titleText, items: specs, axis: axis, width: width,
                                    height: height, repetition: rowKey, range: statement.range)))
    }

    func checkSave(model e: Expr, path pe: Expr, statement: Statement) {
        if case .call(let callee, let args) = e.kind, case .identifier("predictions") = callee.kind,
           scope.lookup("predictions") == nil {
            checkSavePredictions(args, call: e, path: pe, statement: statement)
            return
        }
        guard let (net, refOpt) = model(e, inputShape: nil, what: "the saved network") else { return }
        guard let ref = refOpt else { error("E0403", "save needs a trained or merged network", at: e.range); return }
        guard let path = string(pe, what: "checkpoint path") else { return }
        guard path.hasSuffix(".safetensors") else {
            error("E0406", "checkpoints are .safetensors files", at: pe.range,
                  fixIts: [FixIt(range: pe.range, replacement: "\"\(path).safetensors\"")]); return
        }
        steps.append(.save(SaveSpec(model: ref, network: net, path: path, range: statement.range)))
    }
}

extension Checker {
    /// A checkpoint that is missing, malformed or shaped for another network is found here, before anything
    /// trains, instead of after the trainings that come before the `load` in the script.
    func checkCheckpoint(_ path: String, fits net: NetworkSpec, at range: SourceRange) {
        let shapes: [String: [Int]]
        do {
            guard let s = try probe.checkpointShapes(path) else { return }
            shapes = s
        } catch let unreadable as UnreadableInput where unreadable.reason == .missing {
            // Not an error yet: the file may be written before this statement runs (another unit of a
            // sweep, a copy between `eqx run` and `--resume`); the run fails at the statement if it is not.
            warning("W0802", "checkpoint \"\(path)\" does not exist (yet)", at: range, label: "not found (relative paths start at the script's directory)",
                    help: "the run stops at this statement unless the file is there by then")
            return
        } catch {
            self.error("E0801", "cannot read checkpoint \"\(path)\": \(error)", at: range, help: Checker.help(forUnreadable: error))
            return
        }
        let needed = net.flattenedLayers.flatMap { l in (l.parameterShapes + l.bufferShapes).map { ("\(l.name).\($0.0)", $0.1) } }
        let misfits = needed.compactMap { key, shape -> DiagnosticNote? in
            guard let found = shapes[key] else { return DiagnosticNote("'\(key)' is missing (the network needs \(shape))") }
            return found == shape ? nil : DiagnosticNote("'\(key)' has shape \(found), the network needs \(shape)")
        }
        guard !misfits.isEmpty else { return }
        error("E0805", "checkpoint \"\(path)\" does not fit \(net.name): \(misfits.count) of the \(needed.count) tensors it needs do not match",
              at: range, label: "for another network", notes: Array(misfits.prefix(8)),
              help: "load it with the net declaration (and arguments) it was trained with")
    }
}
