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
                    alphas = (0...n).map { lo + Double($0) * step }
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
                let known = ["match", "alpha", "reset", "repair", "evaluate"]
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
        if evaluation.isEmpty, case .trained(let id)? = rootTrained(baseRef), let train = trainSpec(id) {
            // Default: the training data and its test split, when there is one.
            evaluation.append(train.data)
            if dataSpec(train.data.data)?.testCount != nil { evaluation.append(DataRef(data: train.data.data, split: .test)) }
        }
        if evaluation.isEmpty {
            error("E0702", "say which data to evaluate the merge on: evaluate digits.test", at: statement.keywordRange); return
        }
        let id = instanceID(name.name)
        let spec = MergeSpec(id: id, base: baseRef, network: network, target: target, matching: matching, alphas: alphas,
                             resetBatchNorm: reset, repair: repair, evaluation: evaluation, seedName: id, seed: seed,
                             range: statement.range)
        steps.append(.merge(spec))
        define(name, .merge(id: id, network: network, spec: spec))
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
