import EqxData
import EqxGroups
import EqxIR
import EqxMerge
import EqxNN
import EqxTraining
import Foundation

/// Text for the values the REPL shows: networks as layer tables, groups with their elements, data with
/// shapes and counts, training runs and merges with their numbers.
enum ValueDisplay {
    // MARK: Tables and numbers

    static func cell(_ v: ResultTable.Value) -> String {
        switch v {
        case .double(let d): return formatNumber(d)
        default: return v.csvText
        }
    }

    /// A report's table as `eqx run` prints it: one row as `name  value` lines, more rows as a grid.
    static func table(_ t: ResultTable) -> String {
        var out = title(t.title) + "\n"
        if t.rows.count == 1 {
            let width = t.columns.map(\.count).max() ?? 0
            for (c, v) in zip(t.columns, t.rows[0]) {
                out += "  " + c.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + cell(v) + "\n"
            }
            return out
        }
        var grid = TextTable(columns: t.columns)
        for r in t.rows { grid.append(r.map(cell)) }
        return out + grid.render()
    }

    /// `acc_summary` → `report acc summary`: at the prompt a table is shown under the report that made it.
    static func title(_ name: String) -> String {
        if name.hasSuffix("_summary") { return "report " + name.dropLast("_summary".count) + " summary" }
        return "report " + name
    }

    /// A measured value: just the number for one column, `column  value` lines for several.
    static func values(_ columns: [(String, ResultTable.Value)]) -> String {
        if columns.count == 1 { return cell(columns[0].1) + "\n" }
        let width = columns.map(\.0.count).max() ?? 0
        return columns.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + cell($0.1) + "\n" }.joined()
    }

    // MARK: Networks

    /// `conv 3x3 pad 1`: the layer as it was declared, without its output size (a column of its own).
    static func kind(_ l: Layer) -> String { l.kind.definition.summary }

    static func parameterCount(_ l: Layer) -> Int {
        l.parameterShapes.reduce(0) { $0 + $1.1.reduce(1, *) }
    }

    /// Layers in `flattenedLayers` order with their nesting depth (residual bodies are indented).
    static func layersWithDepth(_ net: NetworkSpec) -> [(Layer, Int)] {
        var out: [(Layer, Int)] = []
        func visit(_ layers: [Layer], _ depth: Int) {
            for l in layers {
                out.append((l, depth))
                l.branches.forEach { visit($0, depth + 1) }
            }
        }
        visit(net.layers, 0)
        return out
    }

    /// `cnn(width: 16): [1, 8, 8] → [10], 7,450 parameters` and a table of layers. With `channels`, a column
    /// says how the group acts on each layer's output channels.
    static func network(_ net: NetworkSpec, title: String, channels: [String]? = nil) -> String {
        let out = "\(title): \(formatShape(net.inputShape)) → \(formatShape(net.outputShape)), "
            + "\(formatCount(net.parameterCount)) parameters\n"
        let withChannels = channels != nil
        var t = TextTable(columns: ["layer", "kind", "output"] + (withChannels ? ["channels"] : []) + ["parameters"],
                          rightAligned: [withChannels ? 4 : 3])
        t.append(["input", "", formatShape(net.inputShape)] + (withChannels ? ["trivial"] : []) + [""])
        for (i, (l, depth)) in layersWithDepth(net).enumerated() {
            let name = String(repeating: "  ", count: depth) + l.name
            let params = parameterCount(l)
            t.append([name, kind(l), formatShape(l.outputShape)] + (channels.map { [$0[i]] } ?? [])
                     + [params == 0 ? "" : formatCount(params)])
        }
        return out + t.render()
    }

    /// The channel action on every layer's output, `regular (blocks of 2)` when the group is known;
    /// `learned (m.representation)` on the layers carrying a permutation symbol of a learned one.
    static func channelColumn(_ net: NetworkSpec, hidden: ChannelAction, group: GroupSpec?,
                              learned: LearnedChannels? = nil) -> [String] {
        let order: Int? = group.map {
            let s = net.inputShape
            return $0.order(height: s.count == 3 ? s[1] : 1, width: s.count == 3 ? s[2] : 1)
        }
        let carriers = learned == nil ? [:] : PermutationSymbols(net).outputSymbol
        return zip(net.flattenedLayers, net.channelActions(hidden: hidden)).map { layer, a in
            if let l = learned, carriers[layer.name] != nil { return "learned (\(l))" }
            if a == .regular, let n = order { return "regular (blocks of \(n))" }
            return a.rawValue
        }
    }

    /// The chain of shapes through the network, one layer a line.
    static func shapes(_ net: NetworkSpec, title: String) -> String {
        var t = TextTable(columns: ["layer", "output"])
        t.append(["input", formatShape(net.inputShape)])
        for (l, depth) in layersWithDepth(net) { t.append([String(repeating: "  ", count: depth) + l.name, formatShape(l.outputShape)]) }
        return "\(title): \(formatShape(net.inputShape)) → \(formatShape(net.outputShape))\n" + t.render()
    }

    // MARK: Groups

    /// Order and elements; translations need a grid size, taken from `inputShape` when there is one.
    static func group(_ g: GroupSpec, name: String, inputShape: [Int]?, details: Bool) -> String {
        let shape = inputShape ?? [1, 1, 1]
        guard !g.containsTranslations || inputShape != nil else {
            return "group \(name) = \(g): translations; its order is the number of grid positions of the data it acts on\n"
        }
        guard let finite = try? g.finiteGroup(forInput: shape) else {
            return "group \(name) = \(g)\n"
        }
        var out = "group \(name) = \(g): order \(finite.order)"
        if g.containsTranslations, let s = inputShape { out += " on \(formatShape(s)) samples" }
        out += "\n"
        let names = (try? finite.elementNames()) ?? []
        let shown = names.prefix(32)
        if !names.isEmpty {
            out += "  elements: " + shown.joined(separator: ", ") + (names.count > shown.count ? ", … (\(names.count) in all)" : "") + "\n"
        }
        if details { out += "  acts on \(finite.actionDescription)\n" }
        return out
    }

    // MARK: Data

    static func source(_ s: EqxIR.DataSource) -> String {
        switch s {
        case .builtinDigits: return "builtin.digits"
        case .idx(let p): return "idx(\"\(p)\")"
        case .cifar10(let p): return "cifar10(\"\(p)\")"
        case let .npy(i, l): return "npy(inputs: \"\(i)\", labels: \"\(l)\")"
        case let .npz(p, _, _): return "npz(\"\(p)\")"
        case let .csv(p, _): return "csv(\"\(p)\")"
        case let .blockGraphs(c, b, i, a): return "block_graphs(count: \(c), block: \(b), inside: \(formatNumber(i)), across: \(formatNumber(a)))"
        case .named(let name): return name
        }
    }

    /// Shape, classes and counts from the check; with the loaded samples, their summary statistics.
    static func data(_ ref: DataRef, spec: DataSpec, samples: Dataset?, details: Bool) -> String {
        var out: String
        if ref.split == .all && ref.range == nil {
            out = "data \(spec.id) = \(source(spec.source)): samples \(formatShape(spec.sampleShape)), \(spec.classes) classes, "
                + "train \(spec.trainCount.map(formatCount) ?? "?"), test \(spec.testCount.map(formatCount) ?? "none")\n"
        } else {
            let count = samples?.count ?? ref.range?.count
            out = "\(ref): \(count.map(formatCount) ?? "?") samples of \(formatShape(spec.sampleShape)), \(spec.classes) classes\n"
        }
        if details, !spec.transforms.isEmpty {
            out += "  transforms: " + spec.transforms.map(transform).joined(separator: ", ") + "\n"
        }
        if let d = samples, d.count > 0 {
            var lo = Float.infinity, hi = -Float.infinity, sum = 0.0, squares = 0.0
            for x in d.inputs {
                lo = min(lo, x); hi = max(hi, x)
                sum += Double(x); squares += Double(x) * Double(x)
            }
            let n = Double(d.inputs.count)
            let mean = sum / n
            let std = (max(0, squares / n - mean * mean)).squareRoot()
            out += "  inputs: mean \(formatNumber(mean)), std \(formatNumber(std)), min \(formatNumber(Double(lo))), max \(formatNumber(Double(hi)))\n"
            if details { out += "  samples per class: " + d.classCounts.map(String.init).joined(separator: " ") + "\n" }
        } else if samples == nil {
            out += "  (not loaded yet)\n"
        }
        return out
    }

    static func transform(_ t: DataTransform) -> String {
        switch t {
        case let .resize(h, w, method): return "resize \(h)x\(w)" + (method == .bilinear ? "" : " method \(method.rawValue)")
        case let .normalize(m, s):
            return m == nil && s == nil ? "normalize" : "normalize(mean: \(m ?? []), std: \(s ?? []))"
        case let .limit(n): return "limit \(n)"
        case let .augment(g): return "augment \(g)"
        }
    }

    // MARK: Training and merging

    static func mode(_ m: TrainingMode) -> String {
        switch m {
        case .nominal: return "nominal"
        case let .augmented(g, s): return "augmented(\(g), \(s.rawValue))"
        case let .equivariant(g): return "equivariant(\(g))"
        }
    }

    static func trainingSummary(_ spec: TrainSpec, outcome: TrainingOutcome?) -> String {
        var out = "  trained on \(spec.data), mode \(mode(spec.mode)), loss \(spec.loss.rawValue), "
            + "batch \(spec.batchSize), " + (spec.steps.map { "\($0) steps" } ?? "\(spec.epochs) epochs") + "\n"
        guard let o = outcome else { return out + "  (not trained yet)\n" }
        if o.interrupted {
            out += "  incomplete: Ctrl-C stopped it after \(formatCount(o.steps)) steps (`eqx run` of the :save'd session trains it to the end)\n"
        }
        out += "  after \(formatCount(o.steps)) steps: batch loss \(formatNumber(o.finalLoss)), batch accuracy \(formatNumber(o.finalAccuracy))"
            + (o.seconds > 0 ? String(format: ", %.1f s", o.seconds) : "") + "\n"
        for e in o.epochs.last?.evaluations ?? [] {
            out += "  \(e.data): loss \(formatNumber(e.loss)), accuracy \(formatNumber(e.accuracy))\n"
        }
        if let d = o.distance.last {
            out += "  distance to E (\(d.group)): \(formatNumber(d.relative)) relative\n"
        }
        return out
    }

    static func target(_ t: MergeTarget) -> String {
        switch t {
        case .model(let m): return m.description
        case let .transformed(g, e):
            let name = g.elementNames.flatMap { e < $0.count ? $0[e] : nil } ?? "element \(e)"
            return "itself transformed by \(name) of \(g)"
        case .orbit(let g): return "its orbit under \(g)"
        }
    }

    static func merge(_ spec: MergeSpec, outcome: MergeOutcome?, details: Bool) -> String {
        var out = "merge \(spec.id) = \(spec.base) with \(target(spec.target)), matching "
        switch spec.matching {
        case .activations(let d, let rule): out += "activations on \(d)" + (rule == .last ? "" : " at \(IRPrinter.text(rule))")
        case .weights: out += "weights"
        case .none: out += "none"
        }
        if spec.involutive { out += ", involutions only" }
        out += "\n"
        guard let o = outcome else { return out + "  (not run yet)\n" }
        out += "  barrier \(formatNumber(o.lossBarrier)) (loss), \(formatNumber(o.accuracyBarrier)) (accuracy); "
            + "at α = ½: \(formatNumber(o.midpointLossBarrier)) (loss), \(formatNumber(o.midpointAccuracyBarrier)) (accuracy)\n"
        for p in o.paths.dropFirst() {
            out += "  \(p.variant.rawValue): barrier \(formatNumber(p.lossBarrier)) (loss), \(formatNumber(p.accuracyBarrier)) (accuracy)\n"
        }
        guard details else { return out }
        for c in o.curves {
            var t = TextTable(columns: ["α", "loss", "accuracy"], rightAligned: [0, 1, 2])
            for (i, a) in o.alphas.enumerated() where i < c.losses.count {
                t.append([formatNumber(a), formatNumber(c.losses[i]), formatNumber(c.accuracies[i])])
            }
            out += "  on \(c.data):\n" + t.render(indent: "    ")
        }
        if !o.symbols.isEmpty {
            var t = TextTable(columns: ["symbol", "channels", "fixed", "2-cycles", "longer", "involution"], rightAligned: [1, 2, 3, 4])
            for s in o.symbols {
                t.append([s.name, String(s.channels), String(s.fixedPoints), String(s.twoCycles), String(s.longerCycles.count),
                          s.isInvolution ? "yes" : "no"])
            }
            out += "  permutations:\n" + t.render(indent: "    ")
        }
        return out
    }

    static func label(of step: Step) -> String {
        switch step {
        case .data(let d): return "data \(d.id)"
        case .train(let t): return "train \(t.id)"
        case .merge(let m): return "merge \(m.id)"
        case .report: return "report"
        case .plot(let p): return "plot \(p.name)"
        case .save(let s): return "save \(s.path)"
        case .summarize(let t): return "summary of \(t)"
        }
    }
}
