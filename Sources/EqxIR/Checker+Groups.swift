import EqxGroups
import EqxSyntax

extension NetworkSpec {
    /// The channel action on each layer's output, in `flattenedLayers` order. Channel-mixing layers use
    /// their declared action or `hidden`; the last one produces the logits and is trivial (invariant
    /// outputs); every other layer keeps its input's action.
    public func channelActions(hidden: ChannelAction) -> [ChannelAction] {
        assignChannelActions(hidden: hidden).outputs
    }

    /// The outputs' actions, and for each residual block the actions of the two operands of its add: the
    /// body's output and the shortcut's output (or the block's input).
    func assignChannelActions(hidden: ChannelAction) -> (outputs: [ChannelAction], operands: [String: (body: ChannelAction, other: ChannelAction)]) {
        let lastMixing = flattenedLayers.last { $0.kind.mixesChannels }?.name
        var result: [ChannelAction] = []
        var operands: [String: (ChannelAction, ChannelAction)] = [:]
        func assign(_ layers: [Layer], input: ChannelAction) -> ChannelAction {
            var current = input
            for layer in layers {
                if !layer.branches.isEmpty {
                    // The block's output carries its body's action (checkGroup makes the other operand agree).
                    let slot = result.count
                    result.append(current)
                    let ends = layer.branches.map { assign($0, input: current) }
                    operands[layer.name] = (ends[0], ends.count > 1 ? ends[1] : current)
                    current = ends[0]
                    result[slot] = current
                } else {
                    if layer.kind.mixesChannels {
                        current = layer.channels ?? (layer.name == lastMixing ? .trivial : hidden)
                    } else if let explicit = layer.channels {
                        current = explicit
                    }
                    result.append(current)
                }
            }
            return current
        }
        _ = assign(layers, input: .trivial)
        return (result, operands)
    }
}

extension Checker {
    /// Checks that `group` can act on every feature space of `network` with `channels` on hidden layers.
    /// Errors for impossible actions; warnings where equivariance can only be approximate. Errors that the
    /// group or its channel action cause are reported at `groupRange` (or `channelsRange`, where the script
    /// asked for regular channels), with a note at the layer they cannot act on.
    @discardableResult
    func checkGroup(_ group: GroupSpec, on network: NetworkSpec, channels: ChannelAction, groupRange: SourceRange,
                    channelsRange: SourceRange? = nil) -> Bool {
        guard checkGroupActs(group, onInput: network.inputShape, at: groupRange,
                             notes: [DiagnosticNote("the network '\(network.name)' is declared at \(location(network.range))", range: network.range)])
        else { return false }
        let input = network.inputShape
        let order = group.order(height: input.count == 3 ? input[1] : 1, width: input.count == 3 ? input[2] : 1)
        let actions = network.channelActions(hidden: channels)
        var ok = true
        let needsSquare = group.needsSquareGrids
        let flat = network.flattenedLayers
        let operands = network.assignChannelActions(hidden: channels).operands
        for layer in flat {
            // The block adds its shortcut's output (or its input) to its body's: both must carry one action.
            guard let (body, other) = operands[layer.name], body != other else { continue }
            let what = layer.branches.count > 1 ? "shortcut" : "input"
            error("E0506", "residual block adds channels acted on \(other.rawValue)ly (its \(what)) to channels acted on \(body.rawValue)ly (its body), so it cannot be \(group)-equivariant",
                  at: layer.range, label: "\(what) \(other.rawValue), body output \(body.rawValue)",
                  help: "give the body's last channel-mixing layer the same channel action as the \(what) (channels \(other.rawValue))")
            ok = false
        }
        for (layer, action) in zip(flat, actions) {
            let out = layer.outputShape
            if action == .regular, layer.kind.mixesChannels || layer.channels != nil {
                if out[0] % order != 0 {
                    // The cause is the script's request for regular channels, or the group if the layer asked.
                    let cause = layer.channels == nil ? channelsRange ?? groupRange : groupRange
                    error("E0502", "a regular channel action of \(group) (order \(order)) needs channel counts divisible by \(order), but '\(layer.name)' has \(out[0])",
                          at: cause, label: "makes '\(layer.name)' regular",
                          notes: [DiagnosticNote("'\(layer.name)' has \(out[0]) output channels", range: layer.range)],
                          help: "use a multiple of \(order), e.g. \(max(order, (out[0] / order + 1) * order))")
                    ok = false
                }
            }
            if group.containsSymmetric, case .conv = layer.kind {
                error("E0504", "\(group) permutes nodes and does not act on convolution kernels ('\(layer.name)')", at: layer.range,
                      help: "use 'dense -> C' layers (a full linear map between node features) for graph data")
                ok = false
            }
            guard group.actsSpatially, !group.containsSymmetric, layer.inputShape.count == 3 else { continue }
            let h = layer.inputShape[1], w = layer.inputShape[2]
            guard let window = layer.kind.definition.window else { continue }
            let (kh, kw, stride, pad) = (window.height, window.width, window.stride, window.padding)
            let what = layer.kind.mixesChannels ? "samples" : "pools"
            if needsSquare && kh != kw {
                error("E0503", "\(group) needs square kernels, but '\(layer.name)' is \(kh)x\(kw)", at: groupRange,
                      label: "quarter turns need square kernels",
                      notes: [DiagnosticNote("'\(layer.name)' has a \(kh)x\(kw) kernel", range: layer.range)])
                ok = false
            }
            if needsSquare && out[1] != out[2] {
                error("E0503", "\(group) needs square feature maps, but '\(layer.name)' outputs \(out[1])x\(out[2])", at: groupRange,
                      label: "quarter turns need square feature maps",
                      notes: [DiagnosticNote("'\(layer.name)' outputs \(out[1])x\(out[2]) maps", range: layer.range)])
                ok = false
            }
            if group.containsTranslations && stride > 1 {
                error("E0507", "cyclic translations of the input do not act on the smaller grid after '\(layer.name)' (stride \(stride))",
                      at: layer.range, help: "keep the grid size until a 'global avgpool' (stride 1 layers with circular padding)")
                ok = false
            } else if (h + 2 * pad - kh) % stride != 0 || (w + 2 * pad - kw) % stride != 0 {
                warning("W0501", "'\(layer.name)' \(what) an asymmetric grid (\(kh)x\(kw) window, stride \(stride), pad \(pad) on \(h)x\(w)), so \(group) equivariance is only approximate",
                        at: layer.range, help: Checker.symmetricPadding(size: h, kernel: kh, stride: stride, near: pad).map {
                            "choose sizes with (size + 2·pad − kernel) divisible by the stride, e.g. pad \($0)"
                        } ?? "no padding makes a \(kh)x\(kw) window with stride \(stride) symmetric on \(h)x\(w): change the grid size before this layer (e.g. odd sizes for odd kernels with stride 2)")
            }
            // Only convolutions can pad circularly; a pool's border windows are covered by E0507 and W0501.
            if group.containsTranslations, layer.kind.mixesChannels, !window.circular, pad > 0 || kh > 1 || kw > 1 {
                warning("W0502", "cyclic translations commute with '\(layer.name)' only with circular padding", at: layer.range,
                        help: "add 'padding circular'")
            }
        }
        return ok
    }

    /// Reports why `group` cannot act on samples of `shape`, at `range`: E0508 when both factors of a
    /// semidirect product act but the point group does not map the input's translations to themselves
    /// (rotations need a square lattice), E0501 otherwise. Returns whether the group acts.
    @discardableResult
    func checkGroupActs(_ group: GroupSpec, onInput shape: [Int], at range: SourceRange, notes: [DiagnosticNote] = []) -> Bool {
        guard let why = group.incompatibility(withInput: shape) else { return true }
        if case .semidirect(let t, let k) = group, t.incompatibility(withInput: shape) == nil {
            error("E0508", "\(k) does not normalise the translations of the \(shape.count == 3 ? "\(shape[1])×\(shape[2])" : "\(shape)") samples, so \(group) is not a group acting on them: \(why)",
                  at: range, label: "does not fit samples of shape \(shape)", notes: notes,
                  help: k.needsSquareGrids ? "rotations need translations along both axes of a square grid: semidirect(translations, \(k)) on square data (resize 28x28)" : nil)
        } else {
            error("E0501", "group \(group) cannot act on the data: \(why)", at: range, notes: notes,
                  help: group.needsSquareGrids && shape.count == 3 ? "resize the data to a square size (data ... { resize 28x28 })" : nil)
        }
        return false
    }
}

extension Checker {
    /// The padding nearest `near` for which a window of `kernel` with `stride` covers a `size` grid
    /// symmetrically, (size + 2·pad − kernel) divisible by the stride; nil when none does (an even grid under
    /// an odd kernel with stride 2).
    static func symmetricPadding(size: Int, kernel: Int, stride: Int, near: Int) -> Int? {
        for delta in 0...max(1, stride) {
            for p in [near - delta, near + delta] where p >= 0 && (size + 2 * p - kernel) % stride == 0 { return p }
        }
        return nil
    }
}
