import EqxSyntax

extension Checker {
    /// Above this many bytes a training is warned about (W0301). A fixed bound, not this machine's memory,
    /// so that `eqx check` says the same on every machine; a CPU run anywhere near it would not finish anyway.
    static let memoryBound = 64.0 * 1024 * 1024 * 1024

    /// W0301: a rough lower estimate of what one training step holds, in Float32: every parameter four
    /// times (weights, gradients, up to two optimizer moments), batch-norm statistics once, and the input
    /// and every layer's output twice per sample of the step's batch (values kept for the backward pass and
    /// their gradients). The warning points at the channel-mixing layer that needs the most. `transforms` is |G| for
    /// full-orbit augmentation (each sample in all its transforms), else 1.
    func checkMemory(_ network: NetworkSpec, samplesPerStep: Double, transforms: Int, train: String, statement: Statement) {
        func values(_ shapes: [(String, [Int])]) -> Double {
            shapes.reduce(0) { $0 + $1.1.reduce(1.0) { $0 * Double($1) } }
        }
        // Each channel-mixing layer answers for itself and the layers after it that keep its channels.
        var owners: [(layer: Layer, bytes: Double, followers: Int)] = []
        var total = 4 * 2 * samplesPerStep * network.inputShape.reduce(1.0) { $0 * Double($1) }
        for layer in network.flattenedLayers {
            let outputs = layer.outputShape.reduce(1.0) { $0 * Double($1) }
            let bytes = 4 * (4 * values(layer.parameterShapes) + values(layer.bufferShapes) + 2 * samplesPerStep * outputs)
            total += bytes
            if layer.kind.mixesChannels || owners.isEmpty {
                owners.append((layer, bytes, 0))
            } else {
                owners[owners.count - 1].bytes += bytes
                owners[owners.count - 1].followers += 1
            }
        }
        guard total > Checker.memoryBound, let (layer, bytes, followers) = owners.max(by: { $0.bytes < $1.bytes }) else { return }
        warning("W0301", "training '\(train)' needs about \(memorySize(total)) of memory, more than \(memorySize(Checker.memoryBound))",
                at: layer.range, label: "\(memorySize(bytes))" + (followers > 0 ? " with the layers it feeds" : ""),
                notes: [DiagnosticNote("'\(train)' runs \(Int(min(samplesPerStep, 1e18))) samples per step", range: statement.keywordRange)],
                help: transforms > 1
                    ? "full-orbit augmentation runs every sample in all \(transforms) transforms; augmented(G, random) draws one per sample"
                    : "make '\(layer.name)' smaller (its \(layer.outputShape[0]) output channels) or the batch")
    }

    private func memorySize(_ bytes: Double) -> String {
        let gib = bytes / (1024 * 1024 * 1024)
        let (value, unit) = gib >= 1024 ? (gib / 1024, "TiB") : (gib, "GiB")
        return value >= 10 ? "\(Int(min(value, 1e18).rounded())) \(unit)" : "\((value * 10).rounded() / 10) \(unit)"
    }
}
