import EqxNN
import EqxTensor

/// Loss and accuracy of a training batch at a step.
public struct CurvePoint: Equatable {
    public var step: Int
    public var loss: Double
    public var accuracy: Double
    public init(step: Int, loss: Double, accuracy: Double) { self.step = step; self.loss = loss; self.accuracy = accuracy }
}

/// Distance to E of the weights after a step (tracked with `track distance_to_E`).
public struct DistancePoint: Equatable {
    public var step: Int
    public var group: String
    public var absolute: Double
    public var relative: Double
    public init(step: Int, group: String, absolute: Double, relative: Double) {
        self.step = step; self.group = group; self.absolute = absolute; self.relative = relative
    }
}

/// End-of-epoch numbers, with the evaluation sets the statement named.
public struct EpochPoint: Equatable {
    public struct Evaluation: Equatable {
        public var data: String
        public var loss: Double
        public var accuracy: Double
        public init(data: String, loss: Double, accuracy: Double) { self.data = data; self.loss = loss; self.accuracy = accuracy }
    }
    public var epoch: Int
    public var step: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var evaluations: [Evaluation] = []
    public init(epoch: Int, step: Int, trainLoss: Double, trainAccuracy: Double, evaluations: [Evaluation] = []) {
        self.epoch = epoch; self.step = step; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.evaluations = evaluations
    }
}

public struct TrainingOutcome {
    public var curve: [CurvePoint] = []
    public var distance: [DistancePoint] = []
    public var epochs: [EpochPoint] = []
    public var steps = 0
    public var finalLoss = Double.nan
    public var finalAccuracy = Double.nan
    public var seconds = 0.0
    public var imagesPerSecond = 0.0
    /// Set when `shouldStop` ended the run early; `checkpoint` then resumes it.
    public var interrupted = false
    public var checkpoint: TrainingCheckpoint? {
        get { checkpoint(of: Float.self) }
        set { storedCheckpoint = newValue }
    }
    /// The checkpoint in its run's precision (`TrainingCheckpointOf<Float>` or `<Double>`).
    var storedCheckpoint: AnyObject?

    /// The checkpoint of a run in precision `Scalar` (nil for none, or for a run in the other precision).
    public func checkpoint<Scalar: TensorScalar>(of: Scalar.Type) -> TrainingCheckpointOf<Scalar>? {
        storedCheckpoint as? TrainingCheckpointOf<Scalar>
    }

    public init() {}

    func with<Scalar: TensorScalar>(checkpoint c: TrainingCheckpointOf<Scalar>) -> TrainingOutcome {
        var o = self; o.storedCheckpoint = c; return o
    }
}

/// A Float32 run's checkpoint (the default precision).
public typealias TrainingCheckpoint = TrainingCheckpointOf<Float>

/// Everything needed to continue a run exactly: weights, optimizer buffers, the step, and the
/// numbers recorded so far. Random streams are named by epoch and step, so they need no state.
public final class TrainingCheckpointOf<Scalar: TensorScalar> {
    public var step: Int
    public var state: StateDictOf<Scalar>
    public var optimizerState: [String: TensorOf<Scalar>]
    public var outcome: TrainingOutcome
    public init(step: Int, state: StateDictOf<Scalar>, optimizerState: [String: TensorOf<Scalar>], outcome: TrainingOutcome) {
        self.step = step; self.state = state; self.optimizerState = optimizerState; self.outcome = outcome
    }
}

/// Progress of a running training, for the live line or log lines.
public struct TrainingProgress {
    public var run: String
    public var step: Int
    public var totalSteps: Int
    public var epoch: Int
    public var epochs: Int
    public var loss: Double
    public var accuracy: Double
    public var imagesPerSecond: Double
    public var secondsRemaining: Double
    public var endOfEpoch: Bool
}
