/// A readable one-line-per-step view of the typed program (`eqx dump-ir`).
public enum IRPrinter {
    public static func describe(_ step: Step) -> String {
        switch step {
        case .data(let d):
            return "data \(d.id): \(text(d.source)) sample \(d.sampleShape) classes \(d.classes) train \(d.trainCount.map(String.init) ?? "?") test \(d.testCount.map(String.init) ?? "-")"
                + (d.transforms.isEmpty ? "" : " transforms [" + d.transforms.map(text).joined(separator: ", ") + "]")
        case .train(let t):
            var s = "train \(t.id): \(t.network.name) on \(t.data) mode \(text(t.mode)) channels \(t.channels) loss \(t.loss.rawValue) \(text(t.optimizer)) schedule \(text(t.schedule)) batch \(t.batchSize) epochs \(t.epochs)"
            if let n = t.steps { s += " steps \(n)" }
            if let i = t.initialWeights { s += " from \(i)" }
            if t.precision != .float32 { s += " precision \(t.precision.rawValue)" }
            s += "\n" + describe(t.network, indent: "    ")
            return s
        case .merge(let m):
            return "merge \(m.id): \(m.base) with \(text(m.target)) matching \(text(m.matching, network: m.network))\(m.involutive ? " involutions" : "")\(m.representation ? " representation" : "") alphas [" + m.alphas.map(number).joined(separator: ", ") + "] reset \(m.resetBatchNorm.map(\.description) ?? "no") repair \(m.repair)"
                + (m.curves.isEmpty ? "" : " curves [" + m.curves.map(\.rawValue).joined(separator: ", ") + "]")
        case .report(let r):
            return "report \(r.table)\(r.row.map { " [\($0)]" } ?? ""): " + r.items.map { "\($0.label) = \(text($0.measurement))" }.joined(separator: ", ")
        case .plot(let p):
            return "plot \(p.name)\(p.repetition.map { " [\($0)]" } ?? "") over \(p.axis.rawValue): "
                + p.items.map { "\($0.label)\($0.series.isEmpty ? "" : "." + $0.series) = \(text($0.measurement))" }.joined(separator: ", ")
        case .save(let s):
            switch s.content {
            case .checkpoint: return "save \(s.model) to \(s.path)"
            case .predictions(let d, _): return "save predictions(\(s.model), \(d)) to \(s.path)"
            }
        case .summarize(let t):
            return "summarize \(t)"
        }
    }

    public static func describe(_ net: NetworkSpec, indent: String = "") -> String {
        var lines: [String] = []
        for l in net.flattenedLayers {
            let params = l.parameterShapes.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            lines.append("\(indent)\(l.name): \(l.kind.name) \(l.inputShape) -> \(l.outputShape)" + (params.isEmpty ? "" : "  {\(params)}"))
        }
        return lines.joined(separator: "\n")
    }

    // Script-like text for the IR's values (Swift's reflection would print type names).

    /// The shortest decimal that reads back as the same Double.
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }

    static func text(_ source: DataSource) -> String {
        switch source {
        case .builtinDigits: return "builtin.digits"
        case .idx(let p): return "idx(\"\(p)\")"
        case .cifar10(let p): return "cifar10(\"\(p)\")"
        case .npy(let i, let l): return "npy(inputs: \"\(i)\", labels: \"\(l)\")"
        case .npz(let p, let i, let l): return "npz(\"\(p)\", inputs: \"\(i)\", labels: \"\(l)\")"
        case .csv(let p, let l): return "csv(\"\(p)\", label: \"\(l)\")"
        case .blockGraphs(let c, let b, let i, let a):
            return "block_graphs(count: \(c), block: \(b), inside: \(number(i)), across: \(number(a)))"
        case .named(let name): return name
        }
    }

    static func text(_ t: DataTransform) -> String {
        switch t {
        case .resize(let h, let w, let m): return "resize \(h)x\(w) method \(m.rawValue)"
        case .normalize(let mean, let std):
            let list = { (xs: [Double]) in "[" + xs.map(number).joined(separator: ", ") + "]" }
            return "normalize" + (mean.map { " mean " + list($0) } ?? "") + (std.map { " std " + list($0) } ?? "")
        case .limit(let n): return "limit \(n)"
        case .augment(let g): return "augment \(g)"
        }
    }

    static func text(_ mode: TrainingMode) -> String {
        switch mode {
        case .nominal: return "nominal"
        case .augmented(let g, let sampling): return "augmented(\(g), \(sampling.rawValue))"
        case .equivariant(let g): return "equivariant(\(g))"
        }
    }

    static func text(_ o: OptimizerSpec) -> String {
        switch o {
        case let .sgd(lr, momentum, nesterov, wd):
            return "sgd(lr: \(number(lr)), momentum: \(number(momentum)), nesterov: \(nesterov), weight_decay: \(number(wd)))"
        case let .adam(lr, b1, b2, eps, wd, decoupled):
            return "\(decoupled ? "adamw" : "adam")(lr: \(number(lr)), beta1: \(number(b1)), beta2: \(number(b2)), eps: \(number(eps)), weight_decay: \(number(wd)))"
        }
    }

    static func text(_ s: ScheduleSpec) -> String {
        switch s {
        case .constant: return "constant"
        case .step(let every, let gamma): return "step(every: \(every), gamma: \(number(gamma)))"
        case .warmup(let epochs, let decay): return "\(decay.rawValue) warmup \(number(epochs))"
        case .decay(let decay): return decay.rawValue
        }
    }

    public static func text(_ r: MatchPointRule) -> String {
        switch r {
        case .last: return "last"
        case .relu: return "relu"
        case .activation: return "activation"
        case .layers(let names): return "[" + names.joined(separator: ", ") + "]"
        }
    }

    static func text(_ t: MergeTarget) -> String {
        switch t {
        case .model(let m): return m.description
        case .transformed(let g, let e): return "\(g)[\(g.elementNames.map { $0[e] } ?? String(e))]"
        case .orbit(let g): return "orbit(\(g))"
        }
    }

    /// Activation matching with the rule and the layer it picks for each symbol (`conv1: relu1`).
    static func text(_ m: MatchingMethod, network: NetworkSpec) -> String {
        switch m {
        case .activations(let d, let rule):
            let symbols = PermutationSymbols(network)
            let points: String
            switch symbols.matchPoints(rule, in: network) {
            case .success(let p): points = zip(symbols.symbols.map(\.name), p).map { "\($0): \($1)" }.joined(separator: ", ")
            case .failure: points = "invalid"
            }
            return "activations on \(d) at \(text(rule)) [\(points)]"
        case .weights: return "weights"
        case .none: return "none"
        }
    }

    static func text(_ m: Measurement) -> String {
        switch m {
        case .number(let x): return number(x)
        case .text(let t): return "\"\(t)\""
        case .accuracy(let n, let d): return "accuracy(\(n), \(d))"
        case .loss(let n, let d, let l): return "loss(\(n), \(d), \(l.rawValue))"
        case .underEachElement(let n, let d, let l, let g, let accuracy):
            return "\(accuracy ? "accuracy" : "loss")(\(n), \(d), under: \(g)" + (accuracy ? ")" : ", \(l.rawValue))")
        case .invariance(let n, let g, let d): return "invariance(\(n), \(g), \(d))"
        case .equivariance(let n, let g, let c, let d): return "equivariance(\(n), \(g), \(d), channels: \(c))"
        case .distanceToE(let n, let g, let c, let layers):
            return "distance_to_E(\(n), \(g), channels: \(c)" + (layers.map { ", layers: [\($0.joined(separator: ", "))]" } ?? "") + ")"
        case .gradientIdentity(let n, let g, let c, let d, let l):
            return "gradient_identity(\(n), \(g), \(d), kind: \(l.rawValue), channels: \(c))"
        case .parameterCount(let n): return "parameters(\(n))"
        case .mergeBarrier(let id, let q, let curve): return "\(id).\(curve.map { "\($0.rawValue)." } ?? "")\(q.rawValue)"
        case .trainQuantity(let id, let q): return "\(id).\(q.rawValue)"
        }
    }
}
