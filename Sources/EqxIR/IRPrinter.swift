/// A readable one-line-per-step view of the typed program (`eqx dump-ir`).
public enum IRPrinter {
    public static func describe(_ step: Step) -> String {
        switch step {
        case .data(let d):
            return "data \(d.id): \(d.source) sample \(d.sampleShape) classes \(d.classes) train \(d.trainCount.map(String.init) ?? "?") test \(d.testCount.map(String.init) ?? "-")"
                + (d.transforms.isEmpty ? "" : " transforms \(d.transforms)")
        case .train(let t):
            var s = "train \(t.id): \(t.network.name) on \(t.data) mode \(t.mode) channels \(t.channels) loss \(t.loss.rawValue) \(t.optimizer) \(t.schedule) batch \(t.batchSize) epochs \(t.epochs)"
            if let i = t.initialWeights { s += " from \(i)" }
            s += "\n" + describe(t.network, indent: "    ")
            return s
        case .merge(let m):
            return "merge \(m.id): \(m.base) with \(m.target) matching \(m.matching)\(m.involutive ? " involutions" : "") alphas \(m.alphas) reset \(m.resetBatchNorm.map(\.description) ?? "no") repair \(m.repair)"
        case .report(let r):
            return "report \(r.table)\(r.row.map { " [\($0)]" } ?? ""): " + r.items.map { "\($0.label) = \($0.measurement)" }.joined(separator: ", ")
        case .plot(let p):
            return "plot \(p.name)\(p.repetition.map { " [\($0)]" } ?? "") over \(p.axis.rawValue): "
                + p.items.map { "\($0.label)\($0.series.isEmpty ? "" : "." + $0.series) = \($0.measurement)" }.joined(separator: ", ")
        case .save(let s):
            return "save \(s.model) to \(s.path)"
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
}
