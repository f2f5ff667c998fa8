import EqxSyntax

extension Checker {
    func checkMerge(name: Identifier, base baseExpr: Expr, target targetExpr: Expr, clauses: [Clause], statement: Statement) {
        guard let (network, baseRefOpt) = model(baseExpr, inputShape: nil, what: "the merged network") else { return }
        guard let baseRef = baseRefOpt else {
            error("E0403", "merge needs a trained network, not a declaration", at: baseExpr.range,
                  help: "train it first: train a = \(network.name) on ...")
            return
        }
        // The target: another network, g(base), or orbit(G).
        let target: MergeTarget
        var selfGroup: GroupSpec? = nil
        if case .call(let callee, let args) = targetExpr.kind, case .identifier("orbit") = callee.kind {
            guard args.count == 1, args[0].label == nil, let g = groupValue(args[0].value) else {
                error("E0406", "orbit takes a group: orbit(rot)", at: targetExpr.range); return
            }
            guard g.isEnumerable else { error("E0505", "\(g) is too large to merge over its whole orbit", at: targetExpr.range); return }
            target = .orbit(g); selfGroup = g
        } else {
            guard let v = evaluate(targetExpr) else { return }
            guard case .model(let ref, let other) = v else {
                if case .symbol(let s) = v { unknownName(s, at: targetExpr.range, expected: "network"); return }
                error("E0403", "merge needs a network to merge with, got a \(v.typeName)", at: targetExpr.range,
                      help: "merge m = a with b, with flip(a), or with orbit(rot)")
                return
            }
            if case .transformed(let inner, let g, let element) = ref, inner == baseRef {
                target = .transformed(g, element: element); selfGroup = g
            } else {
                if other.architecture != network.architecture {
                    error("E0701", "cannot merge networks with different architectures: '\(baseRef)' is \(network.name), '\(ref)' is \(other.name)",
                          at: targetExpr.range, label: "architecture differs",
                          notes: [DiagnosticNote("'\(network.name)' has \(network.parameterCount) parameters in \(network.flattenedLayers.count) layers", range: baseExpr.range),
                                  DiagnosticNote("'\(other.name)' has \(other.parameterCount) parameters in \(other.flattenedLayers.count) layers", range: targetExpr.range)],
                          help: "merge two networks trained from the same declaration with the same arguments")
                    return
                }
                target = .model(ref)
            }
        }
        if let g = selfGroup {
            checkGroup(g, on: network, channels: .trivial, groupRange: targetExpr.range)
        }
        var matching = MatchingMethod.none
        var alphas = stride(from: 0.0, through: 1.0001, by: 0.1).map { ($0 * 10).rounded() / 10 }
        var reset: DataRef? = nil
        var repair = false
        var repairClause: Clause? = nil
        var curves: [MergeVariant] = []
        var curvesClause: Clause? = nil
        var evaluation: [DataRef] = []
        var sawMatch = false
        var involutionClause: Clause? = nil
        var representationClause: Clause? = nil
        for c in clauses {
            var mods = ModifierReader(clause: c, checker: self)
            var allowed: [String] = []
            switch c.head.name {
            case "match":
                allowed = ["on", "at"]
                sawMatch = true
                guard c.arguments.count == 1, let m = symbol(c.arguments[0], what: "matching method", among: ["activations", "weights", "none"]) else { continue }
                let atExpr = mods.take("at")
                switch m {
                case "activations":
                    guard let onExpr = mods.take("on") else {
                        error("E0702", "activation matching needs data: match activations on digits.train[0..499]", at: c.range); continue
                    }
                    guard let ref = dataRef(onExpr, what: "matching data") else { continue }
                    if let shape = dataShape(ref), shape != network.inputShape {
                        error("E0702", "matching data has samples of shape \(shape), but '\(network.name)' takes \(network.inputShape)", at: onExpr.range)
                        continue
                    }
                    guard let rule = atExpr.map({ matchPointRule($0, network: network) }) ?? .last else { continue }
                    matching = .activations(ref, at: rule)
                case "weights", "none":
                    if let e = atExpr {
                        error("E0406", "'at' chooses where activations are compared; '\(m)' matching uses none", at: e.range,
                              help: "use 'match activations on DATA at relu', or remove 'at'")
                        continue
                    }
                    matching = m == "weights" ? .weights : .none
                default: continue
                }
            case "alpha":
                allowed = ["step"]
                guard c.arguments.count == 1, let v = evaluate(c.arguments[0]) else { continue }
                switch v {
                case .number(let a, _): alphas = [a]
                case .list(let items):
                    alphas = items.compactMap { if case .number(let a, _) = $0 { return a } else { return nil } }
                    if alphas.count != items.count { error("E0403", "alpha list must hold numbers", at: c.arguments[0].range); continue }
                case .range(let lo, let hi):
                    let step = mods.take("step").flatMap { number($0, what: "step") } ?? 0.1
                    guard step > 0, hi >= lo, (hi - lo) / step <= 1000 else { error("E0406", "alpha range needs a positive step and at most 1000 points", at: c.range); continue }
                    let n = Int(((hi - lo) / step + 1e-9).rounded(.down))
                    // Rounded to 12 decimals: 0..1 step 0.1 is 0.3, not 0.30000000000000004.
                    alphas = (0...n).map { ((lo + Double($0) * step) * 1e12).rounded() / 1e12 }
                    if let last = alphas.last, abs(last - hi) > 1e-9 { alphas.append(hi) }
                default:
                    error("E0403", "alpha takes a number, a list or a range 0..1 step 0.1", at: c.arguments[0].range); continue
                }
            case "reset":
                allowed = ["on"]
                guard c.arguments.count == 1, case .identifier("batchnorm") = c.arguments[0].kind else {
                    error("E0406", "write 'reset batchnorm on DATA'", at: c.range); continue
                }
                guard let onExpr = mods.take("on") else { error("E0406", "reset batchnorm needs data: reset batchnorm on digits.train", at: c.range); continue }
                guard let ref = dataRef(onExpr, what: "batch-norm data") else { continue }
                if !network.flattenedLayers.contains(where: { if case .batchNorm = $0.kind { return true } else { return false } }) {
                    warning("W0701", "'\(network.name)' has no batch norm; 'reset batchnorm' does nothing", at: c.range)
                }
                reset = ref
            case "repair":
                repair = true
                repairClause = c
            case "curves":
                curvesClause = c
                for a in c.arguments {
                    guard let v = symbol(a, what: "curve", among: MergeVariant.allCases.map(\.rawValue)),
                          let variant = MergeVariant(rawValue: v) else { continue }
                    if curves.contains(variant) { error("E0406", "curve '\(v)' is listed twice", at: a.range); continue }
                    curves.append(variant)
                }
            case "involutions":
                if let extra = c.arguments.first {
                    error("E0406", "'involutions' takes no arguments", at: extra.range); continue
                }
                involutionClause = c
            case "representation":
                if let extra = c.arguments.first {
                    error("E0406", "'representation' takes no arguments", at: extra.range); continue
                }
                representationClause = c
            case "evaluate":
                for a in c.arguments {
                    guard let r = dataRef(a, what: "evaluation data") else { continue }
                    if let shape = dataShape(r), shape != network.inputShape {
                        error("E0702", "evaluation data has samples of shape \(shape), but '\(network.name)' takes \(network.inputShape)", at: a.range)
                        continue
                    }
                    evaluation.append(r)
                }
            default:
                let known = ["match", "alpha", "involutions", "representation", "reset", "repair", "curves", "evaluate"]
                let s = suggestion(for: c.head.name, among: known)
                error("E0404", "unknown merge option '\(c.head.name)'", at: c.head.range,
                      label: "options: \(known.joined(separator: ", "))", help: s.map { "did you mean '\($0)'?" },
                      fixIts: s.map { [FixIt(range: c.head.range, replacement: $0)] } ?? [])
                continue
            }
            _ = mods.finish(allowed: allowed)
        }
        if !sawMatch {
            warning("W0702", "no 'match' given: the networks are interpolated without aligning channels", at: statement.keywordRange,
                    help: "add 'match weights' or 'match activations on DATA'")
        }
        if let c = curvesClause {
            guard checkCurves(curves, clause: c, repairClause: repairClause, reset: reset) else { return }
        }
        let repairs = repair || curves.contains(where: \.repairs)
        if repairs, case .activations = matching {} else if repairs {
            error("E0703", "repair needs activation statistics: use 'match activations on DATA'", at: statement.keywordRange)
            return
        }
        if let c = involutionClause {
            guard checkInvolutions(c, target: target, targetExpr: targetExpr, baseExpr: baseExpr,
                                   inputShape: network.inputShape) else { return }
            if case .none = matching {
                warning("W0703", "'involutions' does nothing without matching: the identity is already an involution",
                        at: c.range, help: "add 'match activations on DATA' or 'match weights'")
            }
        }
        if let c = representationClause {
            guard checkRepresentation(c, target: target, targetExpr: targetExpr, baseExpr: baseExpr,
                                      inputShape: network.inputShape) else { return }
            if case .none = matching {
                warning("W0704", "'representation' does nothing without matching: the identity is already a representation",
                        at: c.range, help: "add 'match activations on DATA' or 'match weights'")
            }
        }
        // For a self-merge (g² = e, checked) a representation of {e, g} is an involution.
        var involutive = involutionClause != nil
        if representationClause != nil, case .transformed = target { involutive = true }
        if evaluation.isEmpty, case .trained(let id)? = rootTrained(baseRef), let train = trainSpec(id) {
            // Default: the training data and its test split, when there is one.
            evaluation.append(train.data)
            if dataSpec(train.data.data)?.testCount != nil { evaluation.append(DataRef(data: train.data.data, split: .test)) }
        }
        if evaluation.isEmpty {
            error("E0702", "say which data to evaluate the merge on: evaluate digits.test", at: statement.keywordRange); return
        }
        let id = instanceID(name)
        let spec = MergeSpec(id: id, base: baseRef, network: network, target: target, matching: matching,
                             involutive: involutive, representation: representationClause != nil, alphas: alphas,
                             resetBatchNorm: reset, repair: repair, evaluation: evaluation, seedName: id, seed: seed,
                             range: statement.range, curves: curves)
        steps.append(.merge(spec))
        define(name, .merge(id: id, network: network, spec: spec))
    }

    /// `curves plain, reset, repair`: every variant once (checked while reading), REPAIR named there rather
    /// than by a `repair` clause, and batch-norm data exactly when some curve resets. Reports E0406 otherwise.
    private func checkCurves(_ curves: [MergeVariant], clause: Clause, repairClause: Clause?, reset: DataRef?) -> Bool {
        if clause.arguments.isEmpty {
            error("E0406", "'curves' lists the curves to evaluate: curves plain, reset, repair", at: clause.range); return false
        }
        if let r = repairClause {
            error("E0406", "with 'curves', REPAIR is one of the curves: list 'repair' (or 'repair_reset') there", at: r.head.range,
                  notes: [DiagnosticNote("the curves are listed here", range: clause.range)], help: "remove the 'repair' line")
            return false
        }
        let resets = curves.contains(where: \.resets)
        if resets, reset == nil {
            error("E0406", "the curves 'reset' and 'repair_reset' need batch-norm data: add 'reset batchnorm on DATA'", at: clause.range)
            return false
        }
        if !resets, reset != nil {
            error("E0406", "'reset batchnorm on DATA' gives the data of the curves that reset, but 'curves' lists none",
                  at: clause.range, help: "add 'reset' to the curves, or remove 'reset batchnorm'")
            return false
        }
        return true
    }

    /// `at last`, `at relu`, `at activation` or `at [layer, …]`, checked against the network's symbols:
    /// E0710 at the entry that does not name a match point of exactly one symbol.
    private func matchPointRule(_ e: Expr, network: NetworkSpec) -> MatchPointRule? {
        let rule: MatchPointRule
        var entries: [Expr] = [], names: [String] = []
        switch e.kind {
        case .identifier("last"): rule = .last
        case .identifier("relu"): rule = .relu
        case .identifier("activation"): rule = .activation
        case .list(let items):
            for item in items {
                switch item.kind {
                case .identifier(let n), .string(let n): names.append(n); entries.append(item)
                case .member:
                    // A layer inside a block: `stage1.relu1`.
                    names.append(sourceText(item.range).filter { !$0.isWhitespace }); entries.append(item)
                default: error("E0406", "a match point is a layer name, e.g. relu1 or stage1.relu1", at: item.range); return nil
                }
            }
            rule = .layers(names)
        default:
            let s = sourceText(e.range)
            let known = ["last", "relu", "activation"]
            let guess = suggestion(for: s, among: known)
            error("E0406", "match points are 'last', 'relu', 'activation' or a list of layers, e.g. at [relu1, relu2]", at: e.range,
                  help: guess.map { "did you mean '\($0)'?" }, fixIts: guess.map { [FixIt(range: e.range, replacement: $0)] } ?? [])
            return nil
        }
        let symbols = PermutationSymbols(network)
        let layerNames = network.flattenedLayers.map(\.name)
        func describe(_ s: Int) -> String {
            "symbol \(symbols.symbols[s].name) (carried by \(symbols.symbols[s].carriers.joined(separator: ", ")))"
        }
        switch symbols.matchPoints(rule, in: network) {
        case .success: return rule
        case .failure(.notALayer(let i)):
            let name = names[i]
            let guess = suggestion(for: name, among: layerNames)
            error("E0710", "'\(name)' is not a layer of '\(network.name)'", at: entries[i].range, label: "no such layer",
                  help: guess.map { "did you mean '\($0)'?" }, fixIts: guess.map { [FixIt(range: entries[i].range, replacement: $0)] } ?? [])
        case .failure(.carriesNoSymbol(let i)):
            error("E0710", "'\(names[i])' carries no permutable channels, so it cannot be a match point",
                  at: entries[i].range, label: "its channels are the network's input or its logits",
                  help: "name a layer between the first and the last channel-mixing layer")
        case .failure(.sameSymbol(let i, let earlier, let s)):
            error("E0710", "'\(names[i])' and '\(names[earlier])' carry the same channels: "
                  + "one match point per symbol", at: entries[i].range, label: "\(describe(s))",
                  notes: [DiagnosticNote("the first match point of \(symbols.symbols[s].name)", range: entries[earlier].range)])
        case .failure(.missing(let s)):
            error("E0710", "no match point carries \(describe(s))", at: e.range,
                  label: "one layer per symbol", help: "add one of its layers, e.g. \(symbols.symbols[s].carriers.last!)")
        case .failure(.noLayerOfKind(let s)):
            let kind = rule == .relu ? "ReLU" : "activation"
            error("E0710", "no \(kind) carries \(describe(s)), so 'at \(sourceText(e.range))' has no match point for it",
                  at: e.range, label: "no \(kind) after \(symbols.symbols[s].name)",
                  help: "name the match points: at [\(symbols.symbols.map(\.matchPoint).joined(separator: ", "))]")
        }
        return nil
    }

    /// `involutions` makes θ ↦ π(g·θ) an action of order 2, which needs g² = e: a self-merge with an element
    /// of order ≤ 2, or an orbit merge over a group of order 2. Reports E0704 otherwise.
    private func checkInvolutions(_ clause: Clause, target: MergeTarget, targetExpr: Expr, baseExpr: Expr,
                                  inputShape: [Int]) -> Bool {
        let (base, note) = targetContext(baseExpr, targetExpr)
        // How the script spells the group: the callee of rot(a, "r") or the argument of orbit(rot).
        var groupText = "flip"
        if case .call(let callee, let args) = targetExpr.kind {
            groupText = sourceText((callee.kind == .identifier("orbit") ? args.first?.value ?? callee : callee).range)
        }
        func example(_ g: GroupSpec) -> String {
            guard let names = g.elementNames,
                  let e = names.indices.first(where: { g.order(ofElement: $0) == 2 }) else { return "" }
            return ", e.g. 'with \(groupText)(\(base), \"\(names[e])\")'"
        }
        switch target {
        case .model:
            error("E0704", "'involutions' needs a self-merge, but '\(base)' is merged with another network",
                  at: clause.head.range, label: "needs a target g(\(base)) with g² = e", notes: [note],
                  help: "merge the network with its own transform, e.g. 'with flip(\(base))' for a mirror group 'flip', "
                      + "or remove 'involutions'")
        case .transformed(let g, let element):
            guard let order = g.order(ofElement: element), order > 2 else { return true }
            let name = g.elementNames?[element] ?? "element \(element)"
            error("E0704", "'involutions' needs a group element with g² = e, but \(name) has order \(order) in \(g)",
                  at: clause.head.range, label: "\(name)∘\(name) ≠ e", notes: [note],
                  help: "merge with an element of order 2\(example(g)), or remove 'involutions'")
        case .orbit(let g):
            let order = orbitOrder(g, inputShape: inputShape)
            guard order > 2 else { return true }
            error("E0704", "'involutions' needs a group of order 2, but the orbit merge over \(g) uses \(order) elements",
                  at: clause.head.range, label: "one permutation per element; they need not compose", notes: [note],
                  help: "merge with one element of order 2\(example(g)), or remove 'involutions' and read m.permutations")
        }
        return false
    }

    /// `representation` learns σ_g for every g of the orbit's group with σ_g σ_h = σ_{g∘h}; eqx searches for
    /// groups of at most 64 elements. A self-merge has only one element g, so it needs g² = e (then it is the
    /// best involution). Reports E0705 otherwise.
    private func checkRepresentation(_ clause: Clause, target: MergeTarget, targetExpr: Expr, baseExpr: Expr,
                                     inputShape: [Int]) -> Bool {
        let (base, note) = targetContext(baseExpr, targetExpr)
        switch target {
        case .model:
            error("E0705", "'representation' needs a self-merge or an orbit merge, but '\(base)' is merged with another network",
                  at: clause.head.range, label: "no group acts between two networks", notes: [note],
                  help: "merge the network with all its transforms, e.g. 'with orbit(rot)', or remove 'representation'")
        case .transformed(let g, let element):
            guard let order = g.order(ofElement: element), order > 2 else { return true }
            let name = g.elementNames?[element] ?? "element \(element)"
            error("E0705", "'representation' of one element needs g² = e, but \(name) has order \(order) in \(g)",
                  at: clause.head.range, label: "one permutation cannot represent \(g)", notes: [note],
                  help: "merge over the whole group instead: 'with orbit(...)' with the group's name")
        case .orbit(let g):
            let order = orbitOrder(g, inputShape: inputShape)
            guard order > 64 || order <= 0 else { return true }
            error("E0705", "eqx cannot solve for a representation of \(g): it has \(order) elements, and learned "
                  + "representations are searched for groups of at most 64",
                  at: clause.head.range, label: "group too large", notes: [note],
                  help: "use a smaller group, or remove 'representation' and read m.permutations")
        }
        return false
    }

    /// How the script spells the merged network, and a note pointing at the merge target.
    private func targetContext(_ baseExpr: Expr, _ targetExpr: Expr) -> (String, DiagnosticNote) {
        (sourceText(baseExpr.range), DiagnosticNote("the merge target is \(sourceText(targetExpr.range))", range: targetExpr.range))
    }

    /// |G| for an orbit merge on samples of `inputShape` (translations depend on the grid).
    private func orbitOrder(_ g: GroupSpec, inputShape: [Int]) -> Int {
        let (h, w) = inputShape.count == 3 ? (inputShape[1], inputShape[2]) : (1, 1)
        return g.order(height: h, width: w)
    }

    func sourceText(_ range: SourceRange) -> String {
        String(decoding: file.bytes[range.start..<range.end], as: UTF8.self)
    }

    func trainSpec(_ id: String) -> TrainSpec? {
        for case .train(let t) in steps where t.id == id { return t }
        return nil
    }

    func mergeSpec(_ id: String) -> MergeSpec? {
        for case .merge(let m) in steps where m.id == id { return m }
        return nil
    }

    /// The training run a model descends from, for default evaluation data.
    func rootTrained(_ ref: ModelRef) -> ModelRef? {
        switch ref {
        case .trained: return ref
        case .transformed(let m, _, _): return rootTrained(m)
        case .merged(let id, _, _): return mergeSpec(id).flatMap { rootTrained($0.base) }
        case .loaded: return nil
        }
    }
}
