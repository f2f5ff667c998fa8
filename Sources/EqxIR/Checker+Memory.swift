import EqxSyntax
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Checker {
    /// This machine's physical memory, or `EQX_MEMORY_LIMIT` (bytes, or with a K/M/G suffix) when set
    /// lower: what a run may allocate. Above it a request is an error (E0305, E0804) — the runtime would
    /// abort in allocation — and above half of it a training is warned about (W0301).
    public static var defaultMemoryBudget: Double {
        var bytes = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        if bytes <= 0 { bytes = 64 * 1024 * 1024 * 1024 }
        if let raw = getenv("EQX_MEMORY_LIMIT"), let limit = parseMemorySize(String(cString: raw)) {
            bytes = min(bytes, limit)
        }
        return bytes
    }

    static func parseMemorySize(_ text: String) -> Double? {
        let units: [Character: Double] = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024]
        var digits = text.uppercased()
        var scale = 1.0
        if let last = digits.last, let u = units[last] { scale = u; digits.removeLast() }
        guard let v = Double(digits), v > 0, v.isFinite else { return nil }
        return v * scale
    }

    /// W0301: a rough lower estimate of what one training step holds, in Float32 (`scalarBytes` 4; 8 for
    /// a float64 training): every parameter four
    /// times (weights, gradients, up to two optimizer moments), batch-norm statistics once, and the input
    /// and every layer's output twice per sample of the step's batch (values kept for the backward pass and
    /// their gradients). The warning points at the channel-mixing layer that needs the most. `transforms` is |G| for
    /// full-orbit augmentation (each sample in all its transforms), else 1.
    func checkMemory(_ network: NetworkSpec, samplesPerStep: Double, transforms: Int, train: String, statement: Statement,
                     scalarBytes: Double = 4) {
        func values(_ shapes: [(String, [Int])]) -> Double {
            shapes.reduce(0) { $0 + $1.1.reduce(1.0) { $0 * Double($1) } }
        }
        // Each channel-mixing layer answers for itself and the layers after it that keep its channels.
        var owners: [(layer: Layer, bytes: Double, followers: Int)] = []
        var total = scalarBytes * 2 * samplesPerStep * network.inputShape.reduce(1.0) { $0 * Double($1) }
        for layer in network.flattenedLayers {
            let outputs = layer.outputShape.reduce(1.0) { $0 * Double($1) }
            let bytes = scalarBytes * (4 * values(layer.parameterShapes) + values(layer.bufferShapes) + 2 * samplesPerStep * outputs)
            total += bytes
            if layer.kind.mixesChannels || owners.isEmpty {
                owners.append((layer, bytes, 0))
            } else {
                owners[owners.count - 1].bytes += bytes
                owners[owners.count - 1].followers += 1
            }
        }
        guard total > memoryBudget / 2, let (layer, bytes, followers) = owners.max(by: { $0.bytes < $1.bytes }) else { return }
        let label = "\(memorySize(bytes))" + (followers > 0 ? " with the layers it feeds" : "")
        let notes = [DiagnosticNote("'\(train)' runs \(Int(min(samplesPerStep, 1e18))) samples per step", range: statement.keywordRange)]
        let help = transforms > 1
            ? "full-orbit augmentation runs every sample in all \(transforms) transforms; augmented(G, random) draws one per sample"
            : "make '\(layer.name)' smaller (its \(layer.outputShape.first ?? 0) output channels) or the batch"
        if total > memoryBudget {
            error("E0305", "training '\(train)' needs about \(memorySize(total)) of memory, more than the \(memorySize(memoryBudget)) this machine has",
                  at: layer.range, label: label, notes: notes, help: help)
        } else {
            warning("W0301", "training '\(train)' needs about \(memorySize(total)) of memory, more than half of the \(memorySize(memoryBudget)) this machine has",
                    at: layer.range, label: label, notes: notes, help: help)
        }
    }

    /// E0804: the loaded samples of a data declaration (after resizing and augmentation), in Float32, must
    /// fit in memory; the loader would otherwise abort in allocation.
    func checkDataMemory(_ shape: DataShape, name: Identifier, range: SourceRange) {
        let samples = Double(shape.trainCount ?? 0) + Double(shape.testCount ?? 0)
        let bytes = 4 * samples * shape.sampleShape.reduce(1.0) { $0 * Double($1) }
        guard bytes > memoryBudget else { return }
        error("E0804", "data '\(name.name)' needs about \(memorySize(bytes)) of memory, more than the \(memorySize(memoryBudget)) this machine has",
              at: range, label: "\(Int(min(samples, 1e18))) samples of shape \(shape.sampleShape)",
              help: "use fewer samples (limit N) or smaller images (resize)")
    }

    func memorySize(_ bytes: Double) -> String {
        let gib = bytes / (1024 * 1024 * 1024)
        let (value, unit) = gib >= 1024 ? (gib / 1024, "TiB") : (gib, "GiB")
        return value >= 10 ? "\(Int(min(value, 1e18).rounded())) \(unit)" : "\((value * 10).rounded() / 10) \(unit)"
    }
}
