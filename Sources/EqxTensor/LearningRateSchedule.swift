import Foundation

/// Float32 learning rates (the default precision).
public typealias LearningRateSchedule = LearningRateScheduleOf<Float>

/// A learning rate as a function of the step (0-based) and the total number of steps.
/// Schedules compose: `.warmup(steps: 100, then: .cosineDecay(initial: 0.1, final: 0))`.
public indirect enum LearningRateScheduleOf<Scalar: TensorScalar>: Equatable, Sendable {
    case constant(Scalar)
    /// initial · gammaᵏ with k = ⌊step / every⌋ (PyTorch StepLR).
    case stepDecay(initial: Scalar, every: Int, gamma: Scalar)
    /// Linear from `initial` at step 0 to `final` at step `totalSteps`.
    case linearDecay(initial: Scalar, final: Scalar)
    /// final + (initial − final)·(1 + cos(π·step/totalSteps))/2 (PyTorch CosineAnnealingLR, T_max = totalSteps).
    case cosineDecay(initial: Scalar, final: Scalar)
    /// For step < steps: linear ramp (step + 1)/steps · lr₀, where lr₀ is `then` at its step 0; afterwards
    /// `then` evaluated at (step − steps) of (totalSteps − steps).
    case warmup(steps: Int, then: LearningRateScheduleOf)

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func learningRate(step: Int, totalSteps: Int) -> Scalar {
        let total = max(1, totalSteps)
        let s = min(max(0, step), total)
        switch self {
        case let .constant(lr):
            return lr
        case let .stepDecay(initial, every, gamma):
            return initial * Scalar(Foundation.pow(Double(gamma), Double(s / max(1, every))))
        case let .linearDecay(initial, final):
            return initial + (final - initial) * Scalar(s) / Scalar(total)
        case let .cosineDecay(initial, final):
            return final + (initial - final) * Scalar((1 + Foundation.cos(Double.pi * Double(s) / Double(total))) / 2)
        case let .warmup(steps, then):
            let remaining = max(1, totalSteps - steps)
            if step < steps {
                return then.learningRate(step: 0, totalSteps: remaining) * Scalar(max(0, step) + 1) / Scalar(steps)
            }
            return then.learningRate(step: step - steps, totalSteps: remaining)
        }
    }
}
