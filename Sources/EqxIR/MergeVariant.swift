/// One interpolation curve of a merge: θ_α as interpolated, REPAIRed, with batch-norm statistics
/// re-estimated, or REPAIRed and then re-estimated. A merge's `curves` clause asks for several from one
/// matching; its name is the member that selects it (`m.reset.barrier`).
public enum MergeVariant: String, Hashable, Sendable, CaseIterable {
    case plain, reset, repair, repairReset = "repair_reset"

    public init(repair: Bool, reset: Bool) {
        switch (repair, reset) {
        case (false, false): self = .plain
        case (false, true): self = .reset
        case (true, false): self = .repair
        case (true, true): self = .repairReset
        }
    }

    public var repairs: Bool {
        switch self {
        case .plain, .reset: return false
        case .repair, .repairReset: return true
        }
    }

    public var resets: Bool {
        switch self {
        case .plain, .repair: return false
        case .reset, .repairReset: return true
        }
    }
}

/// Where activation matching compares the two networks: `match activations on DATA at …`.
public enum MatchPointRule: Hashable, Sendable {
    /// The last layer carrying each symbol (after pooling, or the global average pool): eqx's default.
    case last
    /// The last ReLU carrying each symbol: post-activation, as Git Re-Basin and Bökman & Kahl match.
    case relu
    /// The last pointwise nonlinearity of any kind (relu, leaky_relu, tanh, sigmoid) carrying each symbol.
    case activation
    /// Named layers, exactly one carrying each symbol.
    case layers([String])
}
