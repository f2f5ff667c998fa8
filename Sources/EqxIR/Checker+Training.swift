import EqxSyntax

extension Checker {
    /// A data expression that must name a split (or a range of one).
    func dataRef(_ e: Expr, what: String) -> DataRef? {
        guard let v = evaluate(e) else { return nil }
        guard case .data(let ref) = v else {
            if case .symbol(let s) = v { unknownName(s, at: e.range, expected: "data"); return nil }
            error("E0403", "\(what) must be data such as digits.train, got a \(v.typeName)", at: e.range)
            return nil
        }
        if let n = splitCount(ref), n == 0 {
            error("E0802", "\(what) \(ref) is empty", at: e.range); return nil
        }
        if ref.split == .test, dataSpec(ref.data)?.testCount == nil {
            error("E0802", "data '\(ref.data)' has no test split", at: e.range,
                  help: "add 'split 0.8' to the data declaration to divide it")
            return nil
        }
        return ref
    }

    func dataShape(_ ref: DataRef) -> [Int]? { dataSpec(ref.data)?.sampleShape }

    /// A network expression paired with data: a declaration to instantiate, or an existing model.
    func model(_ e: Expr, inputShape: [Int]?, what: String) -> (NetworkSpec, ModelRef?)? {
        guard let v = evaluate(e) else { return nil }
        switch v {
        case .netDeclaration, .netCall:
            guard let shape = inputShape else {
                // Without data there is nothing to instantiate: a trained network was needed.
                error("E0403", "\(what) must be a trained network, not the declaration '\(v.display)'", at: e.range,
                      help: "train it first: train t = \(v.display) on DATA { ... }")
                return nil
            }
            guard let net = instantiate(v, inputShape: shape, at: e.range) else { return nil }
            return (net, nil)
        case .model(let ref, let net):
            if let shape = inputShape, shape != net.inputShape {
                error("E0301", "\(what) '\(ref)' takes samples of shape \(net.inputShape), but the data has \(shape)", at: e.range)
                return nil
            }
            return (net, ref)
        case .symbol(let s):
            unknownName(s, at: e.range, expected: "network")
            return nil
        default:
            error("E0403", "\(what) must be a network, got a \(v.typeName)", at: e.range)
            return nil
        }
    }

    func groupValue(_ e: Expr, what: String = "group") -> GroupSpec? {
        guard let v = evaluate(e) else { return nil }
        switch v {
        case .group(let g, _): return g
        case .symbol("trivial"): return .trivial
        case .symbol("translations"): return .translations(.both)
        case .symbol(let s): unknownName(s, at: e.range, expected: what); return nil
        default:
            error("E0403", "expected a \(what), got a \(v.typeName)", at: e.range); return nil
        }
    }

    func checkTrain(name: Identifier, model modelExpr: Expr, data dataExpr: Expr, clauses: [Clause], statement: Statement) {
        guard let data = dataRef(dataExpr, what: "training data") else { return }
        guard let spec = dataSpec(data.data), let (network, initial) = model(modelExpr, inputShape: spec.sampleShape, what: "the model") else { return }
        let id = instanceID(name)
        var mode = TrainingMode.nominal
        var channels = ChannelChoice.trivial
        var invariance: InvariancePenalty? = nil
        var loss = LossKind.crossEntropy
        var optimizer = OptimizerSpec.sgd(lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0)
        var schedule = ScheduleSpec.constant
        var batch = 64
        var epochs = 1
        var stepsLimit: Int? = nil
        var tracked: [TrackedMetric] = []
        var every = 1
        var evaluation: [DataRef] = []
        var seen: [String: SourceRange] = [:]
        var groupRange = statement.keywordRange
        var channelsRange: SourceRange? = nil
        var modeRange = statement.keywordRange
        var trackedRanges: [SourceRange] = []
        var order: DataOrder? = nil
        var precision = Precision.float32
        // The mode decides defaults of other clauses (track distance_to_E), so it is read first.
        let ordered = clauses.filter { $0.head.name == "mode" } + clauses.filter { $0.head.name != "mode" }
        for c in ordered {
            if let prev = seen[c.head.name], c.head.name != "track" && c.head.name != "evaluate" {
                error("E0406", "'\(c.head.name)' is given twice", at: c.head.range,
                      notes: [DiagnosticNote("first given at \(location(prev))", range: prev)])
                continue
            }
            seen[c.head.name] = c.head.range
            var mods = ModifierReader(clause: c, checker: self)
            var allowed: [String] = []
            switch c.head.name {
            case "mode":
                guard c.arguments.count == 1 else { error("E0406", "mode takes one of nominal, augmented(G), equivariant(G)", at: c.range); continue }
                let arg = c.arguments[0]
                switch arg.kind {
                case .identifier("nominal"): mode = .nominal
                case .call(let callee, let args):
                    guard case .identifier(let m) = callee.kind, m == "augmented" || m == "equivariant" else {
                        error("E0404", "unknown training mode", at: callee.range, help: "modes: nominal, augmented(G), augmented(G, random), equivariant(G), equivariant(G, channels: regular)")
                        continue
                    }
                    guard let split = splitArguments(args, function: m, allowed: m == "augmented" ? ["sampling"] : ["channels"]),
                          let gExpr = split.positional.first, let g = groupValue(gExpr) else { continue }
                    groupRange = gExpr.range
                    modeRange = arg.range
                    if m == "augmented" {
                        var sampling = AugmentationSampling.orbit
                        let sExpr = split.positional.count > 1 ? split.positional[1] : split.labelled["sampling"]?.1
                        if let se = sExpr {
                            guard let s = symbol(se, what: "sampling", among: ["orbit", "random"]) else { continue }
                            sampling = AugmentationSampling(rawValue: s)!
                        }
                        if sampling == .orbit && !g.isEnumerable {
                            error("E0505", "\(g) is too large for full-orbit augmentation", at: gExpr.range, help: "use augmented(\(g), random)")
                            continue
                        }
                        mode = .augmented(g, sampling: sampling)
                    } else {
                        if let ce = split.positional.count > 1 ? split.positional[1] : split.labelled["channels"]?.1 {
                            guard let c = channelChoice(ce, group: g, groupRange: gExpr.range, network: network,
                                                        networkRange: modelExpr.range) else { continue }
                            channels = c
                            channelsRange = split.labelled["channels"].map { $0.0.range.union(ce.range) } ?? ce.range
                        }
                        mode = .equivariant(g)
                    }
                case .identifier(let s):
                    let sug = suggestion(for: s, among: ["nominal", "augmented", "equivariant"])
                    error("E0404", "unknown training mode '\(s)'", at: arg.range,
                          help: sug.map { "did you mean '\($0)'?" } ?? "modes: nominal, augmented(G), equivariant(G)",
                          fixIts: sug.map { [FixIt(range: arg.range, replacement: $0)] } ?? [])
                    continue
                default:
                    error("E0404", "unknown training mode", at: arg.range); continue
                }
            case "invariance":
                allowed = ["weight", "from"]
                guard c.arguments.count == 1, let g = groupValue(c.arguments[0]) else {
                    if c.arguments.count != 1 { error("E0406", "invariance takes a group: invariance flip weight 0.1", at: c.range) }
                    continue
                }
                var weight = 1.0, start = 0.0
                if let e = mods.take("weight") { guard let w = number(e, what: "weight"), w >= 0 else { error("E0406", "weight must be ≥ 0", at: e.range); continue }; weight = w }
                if let e = mods.take("from") { guard let f = number(e, what: "start fraction"), f >= 0, f < 1 else { error("E0406", "'from' is a fraction of the epochs in [0, 1)", at: e.range); continue }; start = f }
                guard checkGroupActs(g, onInput: network.inputShape, at: c.arguments[0].range) else { continue }
                invariance = InvariancePenalty(group: g, weight: weight, start: start)
            case "loss":
                guard c.arguments.count == 1, let s = symbol(c.arguments[0], what: "loss", among: ["crossentropy", "mse", "bce"]) else {
                    if c.arguments.count != 1 { error("E0406", "loss takes one of crossentropy, mse, bce", at: c.range) }
                    continue
                }
                loss = LossKind(rawValue: s)!
            case "optimizer":
                guard c.arguments.count == 1, let o = optimizerSpec(c.arguments[0]) else {
                    if c.arguments.count != 1 { error("E0406", "optimizer takes sgd(lr: ...) or adam(lr: ...)", at: c.range) }
                    continue
                }
                optimizer = o
            case "schedule":
                allowed = ["warmup", "every", "gamma"]
                guard c.arguments.count == 1, let s = symbol(c.arguments[0], what: "schedule", among: ["constant", "linear", "cosine", "step"]) else {
                    if c.arguments.count != 1 { error("E0406", "schedule takes constant, linear, cosine or step", at: c.range) }
                    continue
                }
                var warm = 0.0
                if let e = mods.take("warmup") { guard let w = number(e, what: "warm-up epochs"), w >= 0 else { continue }; warm = w }
                if s == "step" {
                    if warm > 0 { error("E0406", "warm-up goes with linear, cosine or constant schedules, not step", at: c.range); continue }
                    guard let every = mods.positive("every") else { error("E0406", "step schedule needs 'every N' (epochs)", at: c.range); continue }
                    let gamma = mods.take("gamma").flatMap { number($0, what: "gamma") } ?? 0.1
                    schedule = .step(every: every, gamma: gamma)
                } else {
                    let decay: ScheduleSpec.Decay = s == "linear" ? .linear : s == "cosine" ? .cosine : .none
                    schedule = warm > 0 ? .warmup(epochs: warm, then: decay) : (decay == .none ? .constant : .decay(decay))
                }
            case "batch":
                guard c.arguments.count == 1, let b = positiveInteger(c.arguments[0], what: "batch size") else {
                    if c.arguments.count != 1 { error("E0406", "batch takes a size", at: c.range) }
                    continue
                }
                batch = b
            case "epochs":
                guard c.arguments.count == 1, let n = positiveInteger(c.arguments[0], what: "epochs") else { continue }
                epochs = n
            case "steps":
                guard c.arguments.count == 1, let n = positiveInteger(c.arguments[0], what: "steps") else { continue }
                stepsLimit = n
            case "track":
                allowed = ["every"]
                if let n = mods.positive("every") { every = n }
                for a in c.arguments {
                    guard let t = trackedMetric(a, default: mode, channels: channels, network: network, networkRange: modelExpr.range) else { continue }
                    tracked.append(t)
                    trackedRanges.append(a.range)
                }
            case "evaluate":
                for a in c.arguments { if let r = dataRef(a, what: "evaluation data") { evaluation.append(r) } }
            case "order":
                allowed = ["from"]
                guard let o = dataOrder(c, &mods, data: data) else { continue }
                order = o
            case "precision":
                guard c.arguments.count == 1, case .identifier(let p) = c.arguments[0].kind, let chosen = Precision(rawValue: p) else {
                    error("E0406", "precision takes float32 or float64", at: c.range, help: "precision float64"); continue
                }
                precision = chosen
            default:
                let known = ["mode", "invariance", "loss", "optimizer", "schedule", "batch", "epochs", "steps", "track", "evaluate", "order",
                             "precision"]
                let s = suggestion(for: c.head.name, among: known)
                error("E0404", "unknown training option '\(c.head.name)'", at: c.head.range,
                      label: "options: \(known.joined(separator: ", "))", help: s.map { "did you mean '\($0)'?" },
                      fixIts: s.map { [FixIt(range: c.head.range, replacement: $0)] } ?? [])
                continue
            }
            _ = mods.finish(allowed: allowed)
        }
        // Output shape against the loss and the classes.
        let classes = spec.classes
        let out = network.outputShape
        switch loss {
        case .crossEntropy, .mse:
            if out != [classes] {
                error("E0304", "the network outputs [N, \(out.map(String.init).joined(separator: ", "))] but '\(data.data)' has \(classes) classes",
                      at: modelExpr.range, label: "expected output [N, \(classes)]",
                      notes: [DiagnosticNote("'\(network.name)' is declared at \(location(network.range))", range: network.range)],
                      help: "end the network with 'linear -> \(classes)'")
            }
        case .bce:
            if out != [1] || classes != 2 {
                error("E0304", "binary cross-entropy needs one output and two classes; the network outputs \(out) and the data has \(classes) classes",
                      at: modelExpr.range)
            }
        }
        if case .equivariant(let g) = mode,
           checkGroup(g, on: network, channels: channels.hidden, groupRange: groupRange, channelsRange: channelsRange),
           case .action(let action) = channels {
            // A learned representation's E is known only once its merge has run.
            checkSubspace(g, on: network, channels: action, train: name.name, mode: modeRange)
        }
        var augmentationActs = true
        if case .augmented(let g, _) = mode { augmentationActs = checkGroupActs(g, onInput: network.inputShape, at: groupRange) }
        for (t, range) in zip(tracked, trackedRanges) {
            // The mode's own group and channels were checked above, at the mode.
            guard case .distanceToE(let g, let ch) = t, mode != .equivariant(g) || ch != channels else { continue }
            checkGroup(g, on: network, channels: ch.hidden, groupRange: range)
        }
        if let n = splitCount(data), batch > n {
            warning("W0601", "batch \(batch) is larger than the \(n) training samples; batches will be smaller", at: statement.range)
        }
        var transforms = 1
        if case .augmented(let g, .orbit) = mode, augmentationActs {   // every sample in all |G| transforms
            let shape = network.inputShape
            transforms = shape.count == 3 ? g.order(height: shape[1], width: shape[2]) : g.order(height: 1, width: 1)
        }
        if let n = splitCount(data), transforms == 1, n % batch == 1,
           let bn = network.flattenedLayers.first(where: { layer in
               if case .batchNorm = layer.kind { return layer.inputShape.dropFirst().reduce(1, *) == 1 }
               return false
           }) {
            // Found after a whole epoch otherwise: batch norm over one value per channel has no variance.
            let at = clauses.first { $0.head.name == "batch" }?.range ?? statement.keywordRange
            error("E0601", "the last batch of every epoch holds 1 of the \(n) samples, and batch norm '\(bn.name)' cannot train on one value per channel",
                  at: at, notes: [DiagnosticNote("'\(bn.name)' normalises \(bn.inputShape) per sample", range: bn.range)],
                  help: "choose a batch size that leaves more than one sample in the last batch (\(n) = \(n / batch) × \(batch) + 1)")
        }
        let samplesPerStep = Double(min(batch, splitCount(data) ?? batch)) * Double(transforms) * (invariance == nil ? 1 : 2)  // x, g·x
        checkMemory(network, samplesPerStep: samplesPerStep, transforms: transforms, train: name.name, statement: statement,
                    scalarBytes: precision == .float64 ? 8 : 4)
        var train = TrainSpec(id: id, network: network, initialWeights: initial, data: data, mode: mode, channels: channels,
                              invariance: invariance, loss: loss, optimizer: optimizer, schedule: schedule, batchSize: batch,
                              epochs: epochs, steps: stepsLimit, tracked: tracked, trackEvery: every, evaluation: evaluation,
                              seedName: id, seed: seed, order: order, range: statement.range)
        train.precision = precision
        steps.append(.train(train))
        define(name, .train(id: id, network: network, data: data, loss: loss))
    }

    /// `order from pre` (the batch order of training `pre`, which must train on as many samples) or
    /// `order "name"` (a named stream from the script's seed, shared by every training that names it).
    private func dataOrder(_ c: Clause, _ mods: inout ModifierReader, data: DataRef) -> DataOrder? {
        if let e = mods.take("from") {
            guard c.arguments.isEmpty else {
                error("E0406", "order takes either 'from TRAINING' or a stream name", at: c.range); return nil
            }
            guard case .identifier(let n) = e.kind, let found = scope.lookup(n), case .train(let otherID, _, let otherData, _) = found.binding else {
                if case .identifier(let n) = e.kind, scope.lookup(n) == nil {
                    unknownName(n, at: e.range, expected: "training")
                } else {
                    error("E0403", "'order from' names a training", at: e.range)
                }
                return nil
            }
            guard let other = steps.lazy.compactMap({ step -> TrainSpec? in
                if case .train(let t) = step, t.id == otherID { return t } else { return nil }
            }).first else { return nil }
            // The same permutation only means the same batches over the same number of samples.
            if let a = splitCount(data), let b = splitCount(otherData), a != b {
                error("E0602", "'order from \(n)' needs as many training samples: this training has \(a), '\(n)' has \(b)",
                      at: e.range, notes: [DiagnosticNote("'\(n)' trains on \(otherData)", range: found.range)])
                return nil
            }
            return other.batchOrder
        }
        guard c.arguments.count == 1, let name = string(c.arguments[0], what: "order stream name") else {
            error("E0406", "order takes 'from TRAINING' or a stream name: order from pre, order \"shared\"", at: c.range); return nil
        }
        return DataOrder(name: "order/\(name)", seed: seed)
    }

    private func optimizerSpec(_ e: Expr) -> OptimizerSpec? {
        guard case .call(let callee, let args) = e.kind, case .identifier(let f) = callee.kind else {
            error("E0404", "optimizer must be sgd(lr: ...), adam(lr: ...) or adamw(lr: ...)", at: e.range); return nil
        }
        let allowed: [String]
        switch f {
        case "sgd": allowed = ["lr", "momentum", "nesterov", "weight_decay"]
        case "adam", "adamw": allowed = ["lr", "beta1", "beta2", "eps", "weight_decay"]
        default:
            let s = suggestion(for: f, among: ["sgd", "adam", "adamw"])
            error("E0404", "unknown optimizer '\(f)'", at: callee.range, help: s.map { "did you mean '\($0)'?" } ?? "optimizers: sgd, adam, adamw",
                  fixIts: s.map { [FixIt(range: callee.range, replacement: $0)] } ?? [])
            return nil
        }
        guard let a = splitArguments(args, function: f, allowed: allowed) else { return nil }
        if let p = a.positional.first { error("E0406", "\(f) takes labelled arguments: \(f)(lr: 0.01)", at: p.range); return nil }
        func num(_ k: String, _ d: Double) -> Double? {
            guard let (_, e) = a.labelled[k] else { return d }
            guard let x = number(e, what: k) else { return nil }
            if x < 0 || !x.isFinite { error("E0406", "\(k) must be a non-negative number", at: e.range); return nil }
            return x
        }
        guard let lrEntry = a.labelled["lr"] else { error("E0406", "\(f) needs a learning rate: \(f)(lr: 0.01)", at: e.range); return nil }
        guard let lr = num("lr", 0) else { return nil }
        if lr == 0 { warning("W0602", "learning rate 0: the weights will not change", at: lrEntry.1.range) }
        if f == "sgd" {
            guard let m = num("momentum", 0), let wd = num("weight_decay", 0) else { return nil }
            var nesterov = false
            if let (_, ne) = a.labelled["nesterov"] {
                guard case .bool(let b) = ne.kind else { error("E0403", "nesterov takes true or false", at: ne.range); return nil }
                nesterov = b
            }
            if nesterov && m == 0 { error("E0406", "nesterov needs momentum > 0", at: e.range); return nil }
            return .sgd(lr: lr, momentum: m, nesterov: nesterov, weightDecay: wd)
        }
        guard let b1 = num("beta1", 0.9), let b2 = num("beta2", 0.999), let eps = num("eps", 1e-8),
              let wd = num("weight_decay", f == "adamw" ? 0.01 : 0) else { return nil }
        // Adam divides by 1 − βᵗ: β = 1 would divide by zero at every step.
        for (k, b) in [("beta1", b1), ("beta2", b2)] where b >= 1 {
            error("E0406", "\(k) must be below 1, got \(b)", at: a.labelled[k]?.1.range ?? e.range,
                  help: "Adam's moments decay by \(k) per step; the usual values are 0.9 and 0.999")
            return nil
        }
        return .adam(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd, decoupled: f == "adamw")
    }

    private func trackedMetric(_ e: Expr, default mode: TrainingMode, channels: ChannelChoice, network: NetworkSpec,
                               networkRange: SourceRange) -> TrackedMetric? {
        switch e.kind {
        case .identifier("loss"): return .loss
        case .identifier("accuracy"): return .accuracy
        case .identifier("distance_to_E"):
            switch mode {
            case .augmented(let g, _), .equivariant(let g): return .distanceToE(g, channels)
            case .nominal:
                error("E0406", "distance_to_E needs a group in nominal mode: track distance_to_E(G)", at: e.range); return nil
            }
        case .call(let callee, let args):
            guard case .identifier("distance_to_E") = callee.kind,
                  let a = splitArguments(args, function: "distance_to_E", allowed: ["channels"]),
                  let ge = a.positional.first, let g = groupValue(ge) else {
                error("E0404", "track takes loss, accuracy, distance_to_E or distance_to_E(G)", at: e.range); return nil
            }
            var ch = channels
            if let (_, ce) = a.labelled["channels"] {
                guard let c = channelChoice(ce, group: g, groupRange: ge.range, network: network, networkRange: networkRange)
                else { return nil }
                ch = c
            }
            return .distanceToE(g, ch)
        default:
            error("E0404", "track takes loss, accuracy, distance_to_E or distance_to_E(G)", at: e.range); return nil
        }
    }
}
