import EqxGroups
import EqxSyntax

extension Checker {
    /// W0503: equivariant training keeps every weight in E, so a channel-mixing layer to which E leaves at
    /// most one free weight per output channel can only output multiples of one invariant combination of
    /// its inputs (or copies of one feature map). The rule: dim E(W) < dim W, and dim E(W) ≤ C_out — with
    /// regular output channels dim E(W) < C_out, because |G| free weights per block of |G| channels already
    /// make a full group convolution. With permutation representations E is never {0}: every orbit is free.
    func checkSubspace(_ spec: GroupSpec, on network: NetworkSpec, channels: ChannelAction, train: String,
                       mode: SourceRange) {
        let key = SubspaceKey(network: network, group: spec, channels: channels)
        if subspaceCache[key] == nil {
            let group = try? spec.finiteGroup(forInput: network.inputShape)
            subspaceCache[key] = group.flatMap { g in
                (try? EquivariantDimensions(group: g, spec: network, hidden: channels)).map { (g, $0) }
            }
        }
        // Actions the runtime would reject (non-commuting products) are not this check's business.
        guard let (group, dimensions) = subspaceCache[key]! else { return }
        let flat = network.flattenedLayers
        for (i, layer) in flat.enumerated() where layer.kind.mixesChannels {
            guard let weight = dimensions.tensors["\(layer.name).weight"],
                  let (input, output) = dimensions.spaces.parameterised[layer.name] else { continue }
            let outputs = layer.outputShape[0]
            let scarce = output.representation == .regular ? weight.equivariant < outputs : weight.equivariant <= outputs
            guard weight.equivariant < weight.total, scarce else { continue }
            let feeder = flat[..<i].last { $0.kind.mixesChannels }?.name
            warning("W0503", "E leaves '\(layer.name)' almost no freedom under \(spec): \(weight.equivariant) free weights for \(outputs) output channels",
                    at: layer.range, label: "dim E = \(weight.equivariant) of \(weight.total) weights",
                    notes: [DiagnosticNote("'\(train)' keeps its weights in E (Π_E on weights and gradients)", range: mode)],
                    help: scarcityHint(spec, group, layer: layer, input: input, output: output, feeder: feeder))
        }
    }

    /// What to change, from why E is small: regular channels that only copy a feature map, a kernel with a
    /// single orbit, positions that a linear layer can only sum over, or too few input channels.
    private func scarcityHint(_ spec: GroupSpec, _ group: FiniteGroup, layer: Layer, input: FeatureSpace,
                              output: FeatureSpace, feeder: String?) -> String {
        let widen = feeder.map { "give '\($0)' more channels" } ?? "put a layer with more channels before it"
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        func orbits(_ d: SpatialDomain) -> Int { (try? group.orbitCount(on: [.positions(d)])) ?? d.size }
        if case .conv(let conv) = layer.kind {
            let (kh, kw) = (conv.kernelHeight, conv.kernelWidth)
            let movesKernels = orbits(.kernel(height: 3, width: 3)) < 9
            if !movesKernels, output.representation == .regular, input.representation == .trivial {
                let how = layer.channels == nil ? "drop 'channels: regular' from the mode" : "write 'channels trivial'"
                return "under \(spec) kernels stay free and only the \(group.order) channels of each block are permuted, so every block repeats one feature map; \(how)"
            }
            if orbits(.kernel(height: kh, width: kw)) == 1 {
                return "a \(kh)x\(kw) kernel is a single orbit under \(spec), so it cannot tell directions apart; use a 3x3 kernel with pad 1"
            }
        } else if input.spatial.size > 1, orbits(input.spatial) < input.spatial.size {
            let count = orbits(input.spatial)
            switch input.spatial {
            case .vector(let n):
                return "\(spec) permutes the \(n) input values, so '\(layer.name)' sees only their sum; dense layers on [1, \(n), \(n)] samples keep one feature per node pair"
            case let .grid(h, w):
                let sums = count == 1 ? "the sum" : "\(count) sums"
                let channels = input.channels == 1 ? "its one input channel" : "each of its \(input.channels) input channels"
                return "the \(h)x\(w) grid is \(count == 1 ? "one orbit" : plural(count, "orbit")) under \(spec), so '\(layer.name)' sees only \(sums) of \(channels); \(widen)"
            default:
                break
            }
        }
        if input.representation == .regular {
            let blocks = input.channels / group.order
            return "only \(plural(blocks, "block")) of \(group.order) regular channels \(blocks == 1 ? "reaches" : "reach") '\(layer.name)', and each block is one orbit; \(widen), e.g. \(4 * group.order)"
        }
        return "'\(layer.name)' has only \(plural(input.channels, "input channel")); \(widen)"
    }
}

/// One network, group and hidden channel action: what `checkSubspace` counts once per script.
struct SubspaceKey: Hashable {
    var network: NetworkSpec
    var group: GroupSpec
    var channels: ChannelAction
}
