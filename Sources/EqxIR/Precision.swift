/// The floating-point precision a training runs and its network is measured in. Float32 is the default;
/// float64 shows exact identities (an orbit-augmented run staying in E) at float64 rounding, ~1e-16.
public enum Precision: String, Hashable, Sendable, CaseIterable {
    case float32, float64
}
