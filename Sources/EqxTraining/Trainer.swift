import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import Foundation
import EqxEvaluation

/// The Float32 trainer (the default precision) and the Float64 one.
public typealias Trainer = TrainerOf<Float>
public typealias Trainer64 = TrainerOf<Double>

/// Runs one `train` statement: nominal, augmented (orbit or uniformly random element per sample) or
/// equivariant (Π_E at initialisation and on every gradient) SGD/Adam, with an optional invariance
/// penalty, tracking and evaluation. Every random draw comes from a stream named after the run, the
/// epoch or the step, so a resumed run continues with exactly the numbers an uninterrupted one uses.
public final class TrainerOf<Scalar: TensorScalar> {
    public let spec: TrainSpec
    public let network: NetworkOf<Scalar>
    public let data: Dataset
    public let evaluation: [(name: String, data: Dataset)]
    let seed: UInt64
    /// The training and evaluation inputs in the network's precision, converted once.
    private let samples: ScalarDataset<Scalar>
    private let evaluationSamples: [ScalarDataset<Scalar>]
    /// Groups by description: the mode's group, tracked groups, the penalty's group.
    private var representations: [GroupSpec: NetworkRepresentation] = [:]
    private var projectors: [String: ReynoldsProjector] = [:]
    private var equivariantOptions: (statistics: [String: ChannelOrbits], kernels: [String: TapOrbits])?
    private var optimizer: OptimizerBoxOf<Scalar>
    /// The channel permutations of each learned representation the training names (`channels:
    /// m.representation`), per layer as `NetworkRepresentation` takes them; the executor resolves them.
    let learned: [LearnedChannels: [String: ChannelRepresentation]]

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(spec: TrainSpec, network: NetworkOf<Scalar>, data: Dataset, evaluation: [(name: String, data: Dataset)],
                learned: [LearnedChannels: [String: ChannelRepresentation]] = [:]) throws {
        self.spec = spec
        self.learned = learned
        self.network = network
        self.data = data
        self.evaluation = evaluation
        self.seed = spec.seed
        samples = ScalarDataset(data)
        evaluationSamples = evaluation.map { ScalarDataset($0.data) }
        optimizer = try OptimizerBoxOf<Scalar>(spec.optimizer)
        guard data.count > 0 else {
            throw TrainingError(message: "training data \(spec.data) is empty")
        }
    }

    public var stepsPerEpoch: Int { (data.count + spec.batchSize - 1) / spec.batchSize }
    public var totalSteps: Int { spec.steps ?? spec.epochs * stepsPerEpoch }
    var epochCount: Int { (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch }

    func representation(_ g: GroupSpec, hidden: ChannelChoice) throws -> NetworkRepresentation {
        if let r = representations[g], hidden == spec.channels { return r }
        var permutations: [String: ChannelRepresentation] = [:]
        if let l = hidden.learned {
            guard let p = learned[l] else { throw TrainingError(message: "\(l) has not been computed (its merge has not run)") }
            permutations = p
        }
        let r = try NetworkRepresentation(group: g.finiteGroup(forInput: network.spec.inputShape),
                                          spec: network.spec, hidden: hidden.hidden, learned: permutations)
        if hidden == spec.channels { representations[g] = r }
        return r
    }

    /// What the mode's projector tells an equivariant training's forward pass (empty otherwise):
    /// - batch norms whose statistics are shared over each orbit of channels, which keeps the running ones
    ///   in E at every step (a G-CNN's eval-mode evaluations during training are equivariant);
    /// - convs whose E only ties kernel taps (trivial channels): they run on the free weights, so their
    ///   GEMMs have K = C·R instead of C·KH·KW (3× smaller under C4), and the gradient they return is
    ///   already Π_E of the full one (the step projects it as every other).
    func equivariantForward() throws -> (statistics: [String: ChannelOrbits], kernels: [String: TapOrbits]) {
        guard case .equivariant(let g) = spec.mode else { return ([:], [:]) }
        if let e = equivariantOptions { return e }
        let p = try projector(g, hidden: spec.channels)
        let e = (statistics: p.batchNormOrbits, kernels: p.tiedKernels)
        equivariantOptions = e
        return e
    }

    func projector(_ g: GroupSpec, hidden: ChannelChoice) throws -> ReynoldsProjector {
        let key = "\(g)|\(hidden)"
        if let p = projectors[key] { return p }
        let p = try ReynoldsProjector(representation: representation(g, hidden: hidden))
        projectors[key] = p
        return p
    }

    /// Trains from `checkpoint` (or from the network's current weights at step 0). `shouldStop` is asked
    /// after every step; when it says yes the run stops cleanly and the outcome carries a checkpoint.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func run(from checkpoint: TrainingCheckpointOf<Scalar>? = nil,
                    progress: (TrainingProgress) -> Void = { _ in },
                    shouldStop: () -> Bool = { false }) throws -> TrainingOutcome {
        var outcome = checkpoint?.outcome ?? TrainingOutcome()
        var startStep = 0
        if let c = checkpoint {
            network.state = c.state
            let keys = network.state.parameterKeys
            try optimizer.restore(c.optimizerState, keys: keys, shapes: keys.map { network.state[$0]!.shape })
            guard c.step >= 0, c.step <= totalSteps else {
                throw TrainingError(message: "checkpoint's step \(c.step) is outside 0...\(totalSteps)")
            }
            startStep = c.step
        } else if case .equivariant(let g) = spec.mode {
            network.state = try projector(g, hidden: spec.channels).project(network.state, includeBuffers: true)
        }
        let keys = network.state.parameterKeys
        let total = totalSteps
        let started = Date()
        var seen = 0
        var permutation: [Int] = []
        var permutationEpoch = -1
        if startStep == 0 { try track(step: 0, loss: nil, accuracy: nil, into: &outcome) }
        var step = startStep
        while step < total {
            let epoch = step / stepsPerEpoch
            if epoch != permutationEpoch {
                var rng = RandomStream(seed: spec.batchOrder.seed, name: "data/shuffle/\(spec.batchOrder.name)/epoch\(epoch)")
                permutation = rng.permutation(data.count)
                permutationEpoch = epoch
            }
            let within = step % stepsPerEpoch
            let indices = Array(permutation[(within * spec.batchSize)..<min(data.count, (within + 1) * spec.batchSize)])
            let (loss, accuracy) = try trainStep(step: step, epoch: epoch, indices: indices, keys: keys)
            seen += indices.count
            step += 1
            outcome.steps = step
            outcome.finalLoss = loss
            outcome.finalAccuracy = accuracy
            if step % spec.trackEvery == 0 || step == total {
                try track(step: step, loss: loss, accuracy: accuracy, into: &outcome)
            }
            let endOfEpoch = step % stepsPerEpoch == 0 || step == total
            if endOfEpoch {
                var point = EpochPoint(epoch: epoch + 1, step: step, trainLoss: loss, trainAccuracy: accuracy)
                for ((name, _), d) in zip(evaluation, evaluationSamples) {
                    let r = try evaluate(network, on: d, loss: spec.loss)
                    point.evaluations.append(.init(data: name, loss: r.loss, accuracy: r.accuracy))
                }
                outcome.epochs.append(point)
            }
            let elapsed = Date().timeIntervalSince(started)
            progress(TrainingProgress(run: spec.id, step: step, totalSteps: total, epoch: epoch + 1, epochs: epochCount,
                                      loss: loss, accuracy: accuracy, imagesPerSecond: elapsed > 0 ? Double(seen) / elapsed : 0,
                                      secondsRemaining: elapsed / Double(step - startStep) * Double(total - step),
                                      endOfEpoch: endOfEpoch))
            if step < total && shouldStop() {
                outcome.interrupted = true
                outcome.seconds += elapsed
                return outcome.with(checkpoint: TrainingCheckpointOf(step: step, state: network.state,
                                                                   optimizerState: optimizer.state(keys: keys), outcome: outcome))
            }
        }
        if case .equivariant(let g) = spec.mode {
            // Eval-mode batch norm uses running statistics: keep them in E too, so the trained
            // network is exactly equivariant.
            network.state = try projector(g, hidden: spec.channels).project(network.state, includeBuffers: true)
        }
        outcome.seconds += Date().timeIntervalSince(started)
        outcome.imagesPerSecond = outcome.seconds > 0 ? Double(seen) / Date().timeIntervalSince(started) : 0
        return outcome
    }

    private func trainStep(step: Int, epoch: Int, indices: [Int], keys: [String]) throws -> (Double, Double) {
        var (x, labels) = try samples.batch(indices)
        let b = labels.count
        switch spec.mode {
        case .nominal, .equivariant:
            break
        case .augmented(let g, .orbit):
            let action = try g.sampleAction(forInput: network.spec.inputShape)
            var parts: [TensorOf<Scalar>] = []
            for e in action.group.elements { parts.append(try x.acted(by: action, element: e)) }
            x = try TensorOf<Scalar>.concatenatedBatch(parts)
            labels = Array(repeating: labels, count: action.group.order).flatMap { $0 }
        case .augmented(let g, .random):
            let action = try g.sampleAction(forInput: network.spec.inputShape)
            var rng = RandomStream(seed: seed, name: "augment/\(spec.seedName)/step\(step)")
            x = try transformEachSample(x, action: action, rng: &rng, nonIdentity: false)
        }
        // The invariance penalty compares f(x) with f(g·x) for a random non-identity g per sample.
        var penalty: (weight: Scalar, count: Int)? = nil
        if let inv = spec.invariance, Double(epoch) >= inv.start * Double(epochCount), inv.weight > 0 {
            let action = try inv.group.sampleAction(forInput: network.spec.inputShape)
            var rng = RandomStream(seed: seed, name: "invariance/\(spec.seedName)/step\(step)")
            let gx = try transformEachSample(x, action: action, rng: &rng, nonIdentity: true)
            penalty = (Scalar(inv.weight), x.shape[0])
            x = try TensorOf<Scalar>.concatenatedBatch([x, gx])
        }
        var options = ForwardOptions(training: true, gradients: true,
                                     rng: RandomStream(seed: seed, name: "dropout/\(spec.seedName)/step\(step)"))
        (options.sharedStatistics, options.tiedKernels) = try equivariantForward()
        let result = try network.forward(x, options: options)
        var logits = result.output
        var total: VariableOf<Scalar>
        if let p = penalty {
            let n = p.count
            logits = try sliceRows(result.output, 0..<n)
            let other = try sliceRows(result.output, n..<(2 * n))
            let diff = try sub(logits, other)
            // λ · mean over samples of ‖f(x) − f(g·x)‖².
            let pen = scale(sum(square(diff)), by: p.weight / Scalar(n))
            total = try add(try lossValue(logits, labels: labels), pen)
        } else {
            total = try lossValue(logits, labels: labels)
        }
        let lossScalar = Double(total.value.scalars[0])
        guard lossScalar.isFinite else {
            throw TrainingError(message: "training '\(spec.id)' diverged: the loss is \(lossScalar) at step \(step + 1) (epoch \(epoch + 1))",
                                help: "lower the learning rate or add a warm-up (schedule cosine warmup 1)")
        }
        try total.backward()
        var grads: [TensorOf<Scalar>] = []
        grads.reserveCapacity(keys.count)
        for k in keys {
            guard let g = result.parameters[k]?.grad else { grads.append(.zeros(network.state[k]!.shape)); continue }
            if !g.isAllFinite {
                let layer = k.split(separator: ".").dropLast().joined(separator: ".")
                throw TrainingError(message: "training '\(spec.id)' diverged: the gradient of layer '\(layer)' (\(k)) became non-finite at step \(step + 1) (epoch \(epoch + 1))",
                                    help: "lower the learning rate or add batch norm")
            }
            grads.append(g)
        }
        if case .equivariant(let g) = spec.mode {
            let proj = try projector(g, hidden: spec.channels)
            for (i, k) in keys.enumerated() { grads[i] = proj.project(grads[i], key: k) }
        }
        var params = keys.map { network.state[$0]! }
        let lr = learningRate(step: step)
        try optimizer.step(parameters: &params, gradients: grads, learningRate: lr)
        // Finite gradients can still overflow the weights (a huge learning rate): name the layer now,
        // not a step later when only the loss shows it.
        for (k, t) in zip(keys, params) where !t.isAllFinite {
            let layer = k.split(separator: ".").dropLast().joined(separator: ".")
            throw TrainingError(message: "training '\(spec.id)' diverged: the weights of layer '\(layer)' (\(k)) became non-finite at step \(step + 1) (epoch \(epoch + 1)) in the update with learning rate \(lr)",
                                help: "lower the learning rate or add a warm-up (schedule cosine warmup 1)")
        }
        for (k, t) in zip(keys, params) { network.state[k] = t }
        let predictions = try logits.value.argmaxLastAxis()
        let correct: Int
        if spec.loss == .bce {
            correct = zip(logits.value.scalars, labels.prefix(logits.value.shape[0])).filter { ($0.0 > 0 ? 1 : 0) == $0.1 }.count
        } else {
            correct = zip(predictions, labels).filter { $0.0 == $0.1 }.count
        }
        _ = b
        return (lossScalar, Double(correct) / Double(logits.value.shape[0]))
    }

    func lossValue(_ logits: VariableOf<Scalar>, labels: [Int]) throws -> VariableOf<Scalar> {
        try lossFunction(spec.loss, logits, labels: labels)
    }

    /// x with each sample moved by its own uniformly drawn element (excluding the identity if asked).
    func transformEachSample(_ x: TensorOf<Scalar>, action: SampleAction, rng: inout RandomStream,
                             nonIdentity: Bool) throws -> TensorOf<Scalar> {
        let order = action.group.order
        var elements: [Int] = []
        elements.reserveCapacity(x.shape[0])
        for _ in 0..<x.shape[0] {
            var element = Int(rng.nextUInt64() % UInt64(nonIdentity ? max(1, order - 1) : order))
            if nonIdentity && order > 1 { element += 1 }
            if order > 1 << 20 { element = drawLarge(action.group, rng: &rng, nonIdentity: nonIdentity) }
            elements.append(element)
        }
        return try x.acted(by: action, elements: elements)
    }

    private func drawLarge(_ group: FiniteGroup, rng: inout RandomStream, nonIdentity: Bool) -> Int {
        var r = StreamGenerator(stream: rng)
        var e = group.randomElement(using: &r)
        while nonIdentity && e == group.identity { e = group.randomElement(using: &r) }
        rng = r.stream
        return e
    }

    func learningRate(step: Int) -> Scalar {
        let lr = Scalar(spec.optimizer.learningRate)
        let schedule: LearningRateScheduleOf<Scalar>
        switch spec.schedule {
        case .constant: schedule = .constant(lr)
        case .step(let every, let gamma): schedule = .stepDecay(initial: lr, every: every * stepsPerEpoch, gamma: Scalar(gamma))
        case .decay(let d): schedule = TrainerOf<Scalar>.decay(d, lr)
        case .warmup(let epochs, let d):
            let steps = max(1, Int((epochs * Double(stepsPerEpoch)).rounded()))
            schedule = .warmup(steps: steps, then: TrainerOf<Scalar>.decay(d, lr))
        }
        return schedule.learningRate(step: step, totalSteps: totalSteps)
    }

    static func decay(_ d: ScheduleSpec.Decay, _ lr: Scalar) -> LearningRateScheduleOf<Scalar> {
        switch d {
        case .none: return .constant(lr)
        case .linear: return .linearDecay(initial: lr, final: 0)
        case .cosine: return .cosineDecay(initial: lr, final: 0)
        }
    }

    private func track(step: Int, loss: Double?, accuracy: Double?, into outcome: inout TrainingOutcome) throws {
        if let l = loss { outcome.curve.append(CurvePoint(step: step, loss: l, accuracy: accuracy ?? 0)) }
        for t in spec.tracked {
            if case .distanceToE(let g, let ch) = t {
                let d = try projector(g, hidden: ch).distance(network.state)
                outcome.distance.append(DistancePoint(step: step, group: g.description, absolute: d.absolute, relative: d.relative))
            }
        }
    }
}

public struct TrainingError: Error, CustomStringConvertible {
    public var message: String
    public var help: String?
    public init(message: String, help: String? = nil) { self.message = message; self.help = help }
    public var description: String { message + (help.map { " (\($0))" } ?? "") }
}
