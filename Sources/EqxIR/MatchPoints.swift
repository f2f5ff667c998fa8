/// Why a match-point rule cannot be applied to a network (the checker's E0710, with the list entry at fault).
public enum MatchPointProblem: Error, Hashable, Sendable {
    /// The `index`-th name of the list is not a layer of the network.
    case notALayer(index: Int)
    /// The `index`-th name is a layer whose output carries no permutable channels (input or logits side).
    case carriesNoSymbol(index: Int)
    /// The `index`-th name carries the same symbol as the `earlier`-th.
    case sameSymbol(index: Int, earlier: Int, symbol: Int)
    /// No name of the list carries this symbol.
    case missing(symbol: Int)
    /// The rule picks a kind of layer (relu, activation) that does not carry this symbol.
    case noLayerOfKind(symbol: Int)
}

extension PermutationSymbols {
    /// The layer each symbol is matched at under `rule`, or the first problem found.
    public func matchPoints(_ rule: MatchPointRule, in spec: NetworkSpec) -> Result<[String], MatchPointProblem> {
        switch rule {
        case .last:
            return .success(symbols.map(\.matchPoint))
        case .relu, .activation:
            var kinds: [String: LayerKind] = [:]
            for l in spec.flattenedLayers { kinds[l.name] = l.kind }
            func picked(_ layer: String) -> Bool {
                guard case .activation(let a)? = kinds[layer] else { return false }
                switch a.function {
                case .relu: return true
                case .leakyRelu, .tanh, .sigmoid: return rule == .activation
                }
            }
            var points: [String] = []
            for s in symbols {
                guard let p = s.carriers.last(where: picked) else { return .failure(.noLayerOfKind(symbol: s.id)) }
                points.append(p)
            }
            return .success(points)
        case .layers(let names):
            let layers = Set(spec.flattenedLayers.map(\.name))
            var points = [String?](repeating: nil, count: symbols.count)
            var namedBy = [Int?](repeating: nil, count: symbols.count)
            for (i, name) in names.enumerated() {
                guard layers.contains(name) else { return .failure(.notALayer(index: i)) }
                guard let s = symbols.firstIndex(where: { $0.carriers.contains(name) }) else {
                    return .failure(.carriesNoSymbol(index: i))
                }
                if let earlier = namedBy[s] { return .failure(.sameSymbol(index: i, earlier: earlier, symbol: s)) }
                points[s] = name; namedBy[s] = i
            }
            if let s = points.firstIndex(of: nil) { return .failure(.missing(symbol: s)) }
            return .success(points.map { $0! })
        }
    }

    /// These symbols with the match points of `rule`; throws the problem the checker reports as E0710.
    public func matched(at rule: MatchPointRule, in spec: NetworkSpec) throws -> PermutationSymbols {
        var out = self
        switch matchPoints(rule, in: spec) {
        case .success(let points): for i in out.symbols.indices { out.symbols[i].matchPoint = points[i] }
        case .failure(let problem): throw problem
        }
        return out
    }
}
