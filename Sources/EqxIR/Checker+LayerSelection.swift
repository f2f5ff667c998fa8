import EqxSyntax

extension Checker {
    /// The layers a `layers:` argument names: `conv1`, `[conv1, conv2]`, `stage1.conv1` (a dotted block layer),
    /// `"stage1.conv1"`, or the selector `convs` (every convolution). Each must be a layer of `net` with
    /// parameters; the result keeps the network's order.
    func layerSelection(_ e: Expr, in net: NetworkSpec) -> [String]? {
        let parameterised = net.flattenedLayers.filter { !$0.parameterShapes.isEmpty }
        let names = Set(parameterised.map(\.name))
        var chosen = Set<String>()
        var ok = true
        func name(of item: Expr) -> String? {
            switch item.kind {
            case .identifier(let s), .string(let s): return s
            case .member(let base, let m): return name(of: base).map { "\($0).\(m.name)" }
            default: return nil
            }
        }
        let items: [Expr]
        if case .list(let l) = e.kind { items = l } else { items = [e] }
        if items.isEmpty {
            error("E0406", "'layers:' needs at least one layer", at: e.range, help: "layers: [conv1, conv2] or layers: convs")
            return nil
        }
        for item in items {
            guard let n = name(of: item) else {
                error("E0403", "a layer is named by its parameter prefix, such as conv1 or stage1.conv1", at: item.range,
                      help: "layers: [conv1, conv2] or layers: convs")
                ok = false
                continue
            }
            if n == "convs", !names.contains(n) {
                let convs = parameterised.filter { if case .conv = $0.kind { return true } else { return false } }
                if convs.isEmpty {
                    error("E0406", "'\(net.name)' has no convolution for 'convs' to select", at: item.range); ok = false
                }
                chosen.formUnion(convs.map(\.name))
            } else if names.contains(n) {
                chosen.insert(n)
            } else if net.flattenedLayers.contains(where: { $0.name == n }) {
                error("E0406", "layer '\(n)' of '\(net.name)' has no parameters", at: item.range,
                      label: "no weights here", help: "layers with weights: \(parameterised.map(\.name).joined(separator: ", "))")
                ok = false
            } else {
                let s = suggestion(for: n, among: parameterised.map(\.name) + ["convs"])
                error("E0401", "'\(net.name)' has no layer '\(n)'", at: item.range, label: "not found",
                      help: s.map { "did you mean '\($0)'?" } ?? "layers with weights: \(parameterised.map(\.name).joined(separator: ", "))",
                      fixIts: s.map { [FixIt(range: item.range, replacement: $0)] } ?? [])
                ok = false
            }
        }
        return ok ? parameterised.map(\.name).filter(chosen.contains) : nil
    }
}
