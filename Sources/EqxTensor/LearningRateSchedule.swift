import Foundation

/// A learning rate as a function of the step (0-based) and the total number of steps.
/// Schedules compose: `.warmup(steps: 100, then: .cosineDecay(initial: 0.1, final: 0))`.
public indirect enum LearningRateSchedule: Equatable, Sendable {
    case constant(Float)
    /// initial · gammaᵏ with k = ⌊step / every⌋ (PyTorch StepLR).
    case stepDecay(initial: Float, every: Int, gamma: Float)
    /// Linear from `initial` at step 0 to `final` at step `totalSteps`.
    case linearDecay(initial: Float, final: Float)
    /// final + (initial − final)·(1 + cos(π·step/totalSteps))/2 (PyTorch CosineAnnealingLR, T_max = totalSteps).
    case cosineDecay(initial: Float, final: Float)
    /// For step < steps: linear ramp (step + 1)/steps · lr₀, where lr₀ is `then` at its step 0; afterwards
    /// `then` evaluated at (step − steps) of (totalSteps − steps).
    case warmup(steps: Int, then: LearningRateSchedule)

    public func learningRate(step: Int, totalSteps: Int) -> Float {
        let total = max(1, totalSteps)
        let s = min(max(0, step), total)
        switch self {
        case let .constant(lr):
            return lr
        case let .stepDecay(initial, every, gamma):
            return initial * Float(Foundation.pow(Double(gamma), Double(s / max(1, every))))
        case let .linearDecay(initial, final):
            return initial + (final - initial) * Float(s) / Float(total)
        case let .cosineDecay(initial, final):
            return final + (initial - final) * Float((1 + Foundation.cos(Double.pi * Double(s) / Double(total))) / 2)
        case let .warmup(steps, then):
            let remaining = max(1, totalSteps - steps)
            if step < steps {
                return then.learningRate(step: 0, totalSteps: remaining) * Float(max(0, step) + 1) / Float(steps)
            }
            return then.learningRate(step: step - steps, totalSteps: remaining)
        }
    }
}
