/// Where a merge is, for a live progress line: matching the networks, then evaluating the path at each α.
public struct MergeProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case matching
        case interpolating
    }

    public var merge: String
    public var phase: Phase
    /// α points finished so far and in all (0 of n while matching).
    public var done: Int
    public var total: Int
    /// The α being evaluated next (nil while matching or when done).
    public var alpha: Double?

    public init(merge: String, phase: Phase, done: Int, total: Int, alpha: Double?) {
        self.merge = merge
        self.phase = phase
        self.done = done
        self.total = total
        self.alpha = alpha
    }
}
