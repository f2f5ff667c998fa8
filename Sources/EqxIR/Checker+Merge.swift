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
        var evaluation: [DataRef] = []
        var sawMatch = false
        var involutionClause: Clause? = nil
        for c in clauses {
            var mods = ModifierReader(clause: c, checker: self)
            var allowed: [String] = []
            switch c.head.name {
            case "match":
                allowed = ["on"]
                sawMatch = true
                guard c.arguments.count == 1, let m = symbol(c.arguments[0], what: "matching method", among: ["activations", "weights", "none"]) else { continue }
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
                    matching = .activations(ref)
                case "weights": matching = .weights
                default: matching = .none
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
            case "involutions":
                if let extra = c.arguments.first {
                    error("E0406", "'involutions' takes no arguments", at: extra.range); continue
                }
                involutionClause = c
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
                let known = ["match", "alpha", "involutions", "reset", "repair", "evaluate"]
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
        if repair, case .activations = matching {} else if repair {
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
                             involutive: involutionClause != nil, alphas: alphas,
                             resetBatchNorm: reset, repair: repair, evaluation: evaluation, seedName: id, seed: seed,
                             range: statement.range)
        steps.append(.merge(spec))
        define(name, .merge(id: id, network: network, spec: spec))
    }

    /// `involutions` makes θ ↦ π(g·θ) an action of order 2, which needs g² = e: a self-merge with an element
    /// of order ≤ 2, or an orbit merge over a group of order 2. Reports E0704 otherwise.
    private func checkInvolutions(_ clause: Clause, target: MergeTarget, targetExpr: Expr, baseExpr: Expr,
                                  inputShape: [Int]) -> Bool {
        let base = sourceText(baseExpr.range)
        let note = DiagnosticNote("the merge target is \(sourceText(targetExpr.range))", range: targetExpr.range)
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
            let (h, w) = inputShape.count == 3 ? (inputShape[1], inputShape[2]) : (1, 1)
            let order = g.order(height: h, width: w)
            guard order > 2 else { return true }
            error("E0704", "'involutions' needs a group of order 2, but the orbit merge over \(g) uses \(order) elements",
                  at: clause.head.range, label: "one permutation per element; they need not compose", notes: [note],
                  help: "merge with one element of order 2\(example(g)), or remove 'involutions' and read m.permutations")
        }
        return false
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
        case .merged(let id, _): return mergeSpec(id).flatMap { rootTrained($0.base) }
        case .loaded: return nil
        }
    }
}
