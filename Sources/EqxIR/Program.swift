import EqxSyntax

/// Where a dataset comes from.
public enum DataSource: Hashable, Sendable {
    /// scikit-learn's handwritten digits, shipped inside eqx.
    case builtinDigits
    /// MNIST-format IDX files: a directory with train-/t10k- files (raw or .gz).
    case idx(path: String)
    /// CIFAR-10 binary batches in a directory.
    case cifar10(path: String)
    /// `.npy` inputs and labels.
    case npy(inputs: String, labels: String)
    case npz(path: String, inputs: String, labels: String)
    case csv(path: String, label: String)
    /// Two-block stochastic block model graphs, labelled connected or not.
    case blockGraphs(count: Int, blockSize: Int, inside: Double, across: Double)
    /// A dataset named in the script (`mnist`), found on the data search path by the driver's probe.
    case named(String)
}

extension DataSource {
    /// The names a script can give instead of a path; the driver knows where to look for them.
    public static let datasetNames = ["mnist", "fashion_mnist", "cifar10"]
}

/// How `resize` resamples: antialiased bilinear (torchvision's `Resize`), or the mean over the input area
/// each output pixel covers (PyTorch's `mode="area"`; 28 → 14 is exactly 2×2 average pooling).
public enum ResizeKind: String, Hashable, Sendable, CaseIterable { case bilinear, area }

/// A preprocessing step, applied in script order.
public enum DataTransform: Hashable, Sendable {
    case resize(height: Int, width: Int, method: ResizeKind)
    /// Per-channel standardisation; statistics from the training split when not given.
    case normalize(mean: [Double]?, std: [Double]?)
    /// Keep the first n samples of each split.
    case limit(Int)
    /// Close each split under a group: every sample in all |G| transforms (labels unchanged).
    case augment(GroupSpec)
}

public struct DataSpec: Hashable, Sendable {
    public var id: String
    public var source: DataSource
    public var transforms: [DataTransform]
    /// For sources without a fixed test split: the fraction kept for training.
    public var trainFraction: Double?
    public var sampleShape: [Int]
    public var classes: Int
    public var trainCount: Int?
    public var testCount: Int?
    public var range: SourceRange
    public init(id: String, source: DataSource, transforms: [DataTransform], trainFraction: Double?,
                sampleShape: [Int], classes: Int, trainCount: Int?, testCount: Int?, range: SourceRange) {
        self.id = id; self.source = source; self.transforms = transforms; self.trainFraction = trainFraction
        self.sampleShape = sampleShape; self.classes = classes; self.trainCount = trainCount
        self.testCount = testCount; self.range = range
    }
}

public enum Split: String, Hashable, Sendable { case train, test, all }

/// `digits.train[0..500]`: a split of a declared dataset, optionally a range of it (inclusive bounds
/// in the script, stored half-open here).
public struct DataRef: Hashable, Sendable, CustomStringConvertible {
    public var data: String
    public var split: Split
    public var range: Range<Int>?
    public init(data: String, split: Split, range: Range<Int>? = nil) {
        self.data = data; self.split = split; self.range = range
    }
    public var description: String {
        var s = split == .all ? data : "\(data).\(split.rawValue)"
        if let r = range { s += "[\(r.lowerBound)..\(r.upperBound - 1)]" }
        return s
    }
}

/// A network value: trained, merged, loaded, or transformed by a group element.
public indirect enum ModelRef: Hashable, Sendable, CustomStringConvertible {
    /// The result of a train statement (instance id, e.g. `plain#3` inside a repeat).
    case trained(String)
    /// A merge's interpolated network at α, on one of its curves (nil: its first).
    case merged(String, alpha: Double, curve: MergeVariant? = nil)
    /// Weights from a checkpoint file for a given architecture.
    case loaded(path: String, network: NetworkSpec)
    /// g·θ for a group element (by index in `EqxGroups`' enumeration).
    case transformed(ModelRef, group: GroupSpec, element: Int)

    public var description: String {
        switch self {
        case .trained(let id): return id
        case .merged(let id, let a, let curve): return "\(id)\(curve.map { ".\($0.rawValue)" } ?? "").at(\(a))"
        case .loaded(let p, let n): return "load(\"\(p)\", \(n.name))"
        case .transformed(let m, let g, let e): return "\(g)[\(e)](\(m))"
        }
    }
}

public enum TrainingMode: Hashable, Sendable {
    case nominal
    /// Loss over the orbit of every sample, or over one uniformly drawn element per sample.
    case augmented(GroupSpec, sampling: AugmentationSampling)
    /// Weights kept in E by projecting the initial point and every gradient.
    case equivariant(GroupSpec)
}

public enum AugmentationSampling: String, Hashable, Sendable { case orbit, random }

public enum LossKind: String, Hashable, Sendable {
    case crossEntropy = "crossentropy", mse, bce
}

public enum OptimizerSpec: Hashable, Sendable {
    case sgd(lr: Double, momentum: Double, nesterov: Bool, weightDecay: Double)
    case adam(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupled: Bool)
    public var learningRate: Double {
        switch self { case .sgd(let lr, _, _, _): return lr; case .adam(let lr, _, _, _, _, _): return lr }
    }
}

public enum ScheduleSpec: Hashable, Sendable {
    case constant
    case step(every: Int, gamma: Double)
    /// Linear warm-up over `warmup` epochs (fraction if < 1), then `decay`.
    case warmup(epochs: Double, then: Decay)
    case decay(Decay)
    public enum Decay: String, Hashable, Sendable { case none, linear, cosine }
}

/// A quantity recorded during training every `every` steps.
public enum TrackedMetric: Hashable, Sendable {
    case loss
    case accuracy
    case distanceToE(GroupSpec, ChannelChoice)
}

public struct InvariancePenalty: Hashable, Sendable {
    public var group: GroupSpec
    public var weight: Double
    /// Fraction of the epochs after which the penalty is switched on.
    public var start: Double
}

/// Which random stream orders a training's batches (`data/shuffle/<name>/epochN` from `seed`): its own
/// by default; `order from pre` shares another training's, so both see the same batches in the same order.
public struct DataOrder: Hashable, Sendable {
    public var name: String
    public var seed: UInt64
    public init(name: String, seed: UInt64) { self.name = name; self.seed = seed }
}

public struct TrainSpec: Hashable, Sendable {
    public var id: String
    public var network: NetworkSpec
    /// Fresh initialisation (nil) or the weights of another model to continue from.
    public var initialWeights: ModelRef?
    public var data: DataRef
    public var mode: TrainingMode
    /// The channel action for hidden layers that do not declare one, or a merge's learned representation
    /// (equivariant mode's `channels:`).
    public var channels: ChannelChoice
    public var invariance: InvariancePenalty?
    public var loss: LossKind
    public var optimizer: OptimizerSpec
    public var schedule: ScheduleSpec
    public var batchSize: Int
    public var epochs: Int
    /// Stop after this many steps (overrides epochs when set).
    public var steps: Int?
    public var tracked: [TrackedMetric]
    public var trackEvery: Int
    public var evaluation: [DataRef]
    /// Stable name for random streams (`init/<seedName>`, `data/shuffle/<seedName>/epoch3`).
    public var seedName: String
    public var seed: UInt64
    /// The batch order's stream: nil for this training's own (`seedName`, `seed`).
    public var order: DataOrder? = nil
    public var batchOrder: DataOrder { order ?? DataOrder(name: seedName, seed: seed) }
    /// The precision of the training and of every measurement of its network (`precision float64`).
    public var precision: Precision = .float32
    public var range: SourceRange
}

public enum MergeTarget: Hashable, Sendable {
    /// Another network.
    case model(ModelRef)
    /// The network's own transform by one group element (the self-merge).
    case transformed(GroupSpec, element: Int)
    /// The average of all aligned transformed copies (orbit merge).
    case orbit(GroupSpec)
}

public enum MatchingMethod: Hashable, Sendable {
    /// Correlation of activations on the data, at the match points the rule picks.
    case activations(DataRef, at: MatchPointRule = .last)
    case weights
    /// No alignment: plain interpolation (a baseline).
    case none
}

public struct MergeSpec: Hashable, Sendable {
    public var id: String
    public var base: ModelRef
    public var network: NetworkSpec
    public var target: MergeTarget
    public var matching: MatchingMethod
    /// Matching returns involutions π (π∘π = id) only, so that for a target g·θ with g² = e the map
    /// θ ↦ π(g·θ) is itself of order 2 and the midpoint is Π_E θ (the `involutions` clause).
    public var involutive: Bool
    /// The matched permutations form a representation of the whole group (the `representation` clause):
    /// for an orbit merge one σ_g per element with σ_g σ_h = σ_{g∘h}, so the orbit average is Π_E θ for the
    /// learned channel action; for a self-merge with g² = e the same as `involutive`.
    public var representation: Bool
    public var alphas: [Double]
    /// Batch-norm statistics re-estimated on this data after interpolation (self-merges use x and g·x):
    /// for the one curve, or for the curves of `curves` that reset.
    public var resetBatchNorm: DataRef?
    /// REPAIR on the one curve (without a `curves` clause).
    public var repair: Bool
    public var evaluation: [DataRef]
    public var seedName: String
    public var seed: UInt64
    public var range: SourceRange
    /// The curves of a `curves` clause, all from the one matching; empty: the one curve `repair` and
    /// `resetBatchNorm` describe.
    public var curves: [MergeVariant] = []

    /// Every curve the merge evaluates, its first the one `m.barrier`, `m.curve` and `m.at(α)` refer to.
    public var variants: [MergeVariant] {
        curves.isEmpty ? [MergeVariant(repair: repair, reset: resetBatchNorm != nil)] : curves
    }
}

/// A value a report, track or plot asks for.
public indirect enum Measurement: Hashable, Sendable {
    case number(Double)
    case text(String)
    case accuracy(ModelRef, DataRef)
    case loss(ModelRef, DataRef, LossKind)
    /// Accuracy and loss with every input moved by each group element (`accuracy(m, d, under: G)`).
    case underEachElement(ModelRef, DataRef, LossKind, GroupSpec, accuracy: Bool)
    /// Mean relative output change and prediction disagreement under every non-identity element.
    case invariance(ModelRef, GroupSpec, DataRef)
    /// Per-layer ‖Φ_i(g·x) − ρ_i(g)Φ_i(x)‖ relative to ‖Φ_i(x)‖.
    case equivariance(ModelRef, GroupSpec, ChannelChoice, DataRef)
    /// ‖θ − Π_E θ‖ total and per layer, absolute and relative; over the named layers only when `layers` is set.
    case distanceToE(ModelRef, GroupSpec, ChannelChoice, layers: [String]?)
    /// Nordenfors et al.'s identity on data: ‖∇R_aug − Π_E∇R‖ and ‖(I − Π_E)∇R‖ (full orbit, eval mode).
    case gradientIdentity(ModelRef, GroupSpec, ChannelChoice, DataRef, LossKind)
    case parameterCount(ModelRef)
    /// A quantity of a merge, on one of its curves (nil: its first).
    case mergeBarrier(String, MergeQuantity, curve: MergeVariant? = nil)
    case trainQuantity(String, TrainQuantity)
}

public enum MergeQuantity: String, Hashable, Sendable, CaseIterable {
    case barrier, accuracyBarrier = "accuracy_barrier", midpointBarrier = "midpoint_barrier",
         midpointAccuracyBarrier = "midpoint_accuracy_barrier", curve, permutations,
         lossChange = "loss_change", accuracyChange = "accuracy_change"
}

public enum TrainQuantity: String, Hashable, Sendable, CaseIterable {
    case curve, distance, finalLoss = "final_loss", finalAccuracy = "final_accuracy", steps
}

public struct ReportItemSpec: Hashable, Sendable {
    public var label: String
    public var measurement: Measurement
    public var range: SourceRange
}

public struct ReportSpec: Hashable, Sendable {
    /// Table name: one table per report statement; inside a repeat, one row per repetition.
    public var table: String
    /// Row key inside a repeat/for (`rep 3`, `lr=0.1`), nil for a top-level report.
    public var row: String?
    public var items: [ReportItemSpec]
    public var range: SourceRange
}

/// One `plot` statement. Inside a `repeat`/`for` every repetition adds its series to the same figure
/// (`name`), drawn as the median with a min–max band (curves) or one dot per repetition (scalars).
public struct PlotSpec: Hashable, Sendable {
    /// What a figure's x axis is; items of different kinds cannot share one (E0410).
    public enum Axis: String, Hashable, Sendable {
        case alpha, step, groups
    }

    /// The figure's file name (`plot NAME =`, else from the title or labels): the same for every repetition.
    public var name: String
    public var title: String
    public var items: [PlotItemSpec]
    public var axis: Axis
    /// Printed size in points (`size column`, `size page`, `size 300x200`).
    public var width: Double
    public var height: Double
    /// The repetition inside a `repeat`/`for` (`rep 2`, `lr=0.1`), nil at the top level.
    public var repetition: String?
    public var range: SourceRange

    public init(name: String, title: String, items: [PlotItemSpec], axis: Axis, width: Double, height: Double,
                repetition: String?, range: SourceRange) {
        self.name = name; self.title = title; self.items = items; self.axis = axis
        self.width = width; self.height = height; self.repetition = repetition; self.range = range
    }
}

public struct PlotItemSpec: Hashable, Sendable {
    /// The legend name (the user's label, else the declared name of the merge or training run); for a scalar, its group.
    public var label: String
    /// For a scalar labelled `group.series`: the series inside the group.
    public var series: String
    public var measurement: Measurement
    public var range: SourceRange
}

public struct SaveSpec: Hashable, Sendable {
    public var model: ModelRef
    public var network: NetworkSpec
    public var path: String
    public var range: SourceRange
    /// What is written: the weights, or the network's outputs on data.
    public var content: SavedContent = .checkpoint
}

/// The two things `save` writes.
public enum SavedContent: Hashable, Sendable {
    /// `save net to "net.safetensors"`.
    case checkpoint
    /// `save predictions(net, data) to "p.csv"`: one row per sample with its index, label and logits.
    case predictions(DataRef, PredictionsFormat)
}

public enum PredictionsFormat: String, Hashable, Sendable {
    case csv
    case npy
}

public enum Step: Hashable, Sendable {
    case data(DataSpec)
    case train(TrainSpec)
    case merge(MergeSpec)
    case report(ReportSpec)
    case plot(PlotSpec)
    case save(SaveSpec)
    /// Marks the end of a `repeat`/`for`, so tables of that scope get their summary rows.
    case summarize(table: String)
}

extension Step {
    /// The statement a step came from (for runtime errors).
    public var range: SourceRange? {
        switch self {
        case .data(let d): return d.range
        case .train(let t): return t.range
        case .merge(let m): return m.range
        case .report(let r): return r.range
        case .plot(let p): return p.range
        case .save(let s): return s.range
        case .summarize: return nil
        }
    }
}

/// The typed program the executor runs: every name resolved, every shape checked, loops unrolled.
public struct Program: Hashable, Sendable {
    public var seed: UInt64
    public var steps: [Step]
    public var networks: [String: NetworkSpec]
    public var groups: [String: GroupSpec]
    /// The loop instance each step belongs to, parallel to `steps`: `#3` for repetition 3 of a `repeat`,
    /// `[lr=0.1]#0` inside nested loops, "" outside loops (the units of a cluster sweep come from it).
    public var scopes: [String] = []
    public init(seed: UInt64, steps: [Step], networks: [String: NetworkSpec], groups: [String: GroupSpec]) {
        self.seed = seed; self.steps = steps; self.networks = networks; self.groups = groups
    }
}
