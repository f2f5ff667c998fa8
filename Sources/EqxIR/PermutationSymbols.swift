/// Which hidden channels a merge may permute, derived from the architecture (design brief §2): each
/// channel-mixing layer's output gets a symbol; ReLU, pooling, batch norm and biases carry it; a residual
/// add unifies the symbols of its operands (body and shortcut); flatten → linear expands it over spatial
/// positions. The
/// network's input channels and its logits carry no symbol (they are never permuted).
public struct PermutationSymbols: Hashable, Sendable {
    public struct Symbol: Hashable, Sendable {
        public var id: Int
        public var channels: Int
        /// Layers whose output channels this symbol permutes.
        public var producers: [String]
        /// The layer whose output activations are matched: the last one carrying the symbol, unless
        /// `matched(at:in:)` chose another.
        public var matchPoint: String
        /// Layers whose output carries the symbol, in network order (its possible match points).
        public var carriers: [String] = []
        /// A readable name: the first producer (and `+residual` when unified).
        public var name: String
    }

    public var symbols: [Symbol]
    /// Symbol on each layer's input channels / output channels (nil: not permutable).
    public var inputSymbol: [String: Int]
    public var outputSymbol: [String: Int]

    public init(_ spec: NetworkSpec) {
        let flat = spec.flattenedLayers
        let lastMixing = flat.last { $0.kind.mixesChannels }?.name
        var parent: [Int] = []
        var channels: [Int] = []
        var producers: [[String]] = []
        var frozen: Set<Int> = []   // unified with the input or the logits: never permuted
        func find(_ i: Int) -> Int { var r = i; while parent[r] != r { r = parent[r] }; return r }
        func union(_ a: Int, _ b: Int) {
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb); if frozen.contains(ra) || frozen.contains(rb) { frozen.insert(min(ra, rb)) } }
        }
        func newSymbol(_ c: Int, producer: String) -> Int {
            parent.append(parent.count); channels.append(c); producers.append([producer]); return parent.count - 1
        }
        let inputSym = newSymbol(spec.inputShape.first ?? 1, producer: "<input>")
        frozen.insert(inputSym)
        var rawIn: [String: Int] = [:], rawOut: [String: Int] = [:]
        var lastCarrier: [Int: String] = [:]
        func walk(_ layers: [Layer], current start: Int) -> Int {
            var current = start
            for layer in layers {
                rawIn[layer.name] = current
                let ends = layer.branches.map { walk($0, current: current) }
                if let body = ends.first {
                    // The add unifies the body's channels with the shortcut's (or with the input's).
                    union(body, ends.count > 1 ? ends[1] : current)
                    current = body
                    rawOut[layer.name] = current
                    lastCarrier[current] = layer.name
                    continue
                }
                if layer.kind.mixesChannels {
                    current = newSymbol(layer.outputShape[0], producer: layer.name)
                    if layer.name == lastMixing { frozen.insert(current) }
                }
                rawOut[layer.name] = current
                lastCarrier[current] = layer.name
            }
            return current
        }
        _ = walk(spec.layers, current: inputSym)
        // Collect roots into dense ids; record the last carrier of each class as its match point.
        var ids: [Int: Int] = [:]
        var symbols: [Symbol] = []
        var carrierOrder: [String: Int] = [:]
        for (i, l) in flat.enumerated() { carrierOrder[l.name] = i }
        for raw in 0..<parent.count {
            let root = find(raw)
            if frozen.contains(root) { continue }
            if ids[root] == nil {
                ids[root] = symbols.count
                symbols.append(Symbol(id: symbols.count, channels: channels[root], producers: [], matchPoint: "", name: ""))
            }
            let id = ids[root]!
            symbols[id].producers += producers[raw]
            if let carrier = lastCarrier[raw] {
                let current = symbols[id].matchPoint
                if current.isEmpty || carrierOrder[carrier]! > carrierOrder[current]! { symbols[id].matchPoint = carrier }
            }
        }
        for (name, raw) in rawOut { if let id = ids[find(raw)] { symbols[id].carriers.append(name) } }
        for i in symbols.indices {
            symbols[i].carriers.sort { carrierOrder[$0]! < carrierOrder[$1]! }
            symbols[i].name = symbols[i].producers.first! + (symbols[i].producers.count > 1 ? "+\(symbols[i].producers.count - 1)" : "")
        }
        self.symbols = symbols
        inputSymbol = rawIn.compactMapValues { ids[find($0)] }
        outputSymbol = rawOut.compactMapValues { ids[find($0)] }
    }
}
