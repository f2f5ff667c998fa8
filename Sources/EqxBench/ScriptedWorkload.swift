import EqxData
import EqxGroups
import EqxIR
import EqxMerge
import EqxNN
import EqxSyntax
import EqxTensor
import EqxTraining
import Foundation
import EqxEvaluation

/// Answers for the benchmark scripts' placeholder data file with the bench's sample shape, so the checker
/// sees the shapes a real dataset would have without any file on disk.
struct BenchmarkDataProbe: EqxIR.DataProbe {
    var shape: DataShape
    func probe(_ source: EqxIR.DataSource) throws -> DataShape { shape }
}

/// A benchmark script checked into a `Program`, with synthetic data of the probed shape.
struct ScriptedWorkload {
    let program: Program
    let data: Dataset

    /// Parses and checks `source` as `eqx run` does (any error is a bug in the bench script) and draws
    /// `count` uniform samples of `sampleShape` with uniform labels from a stream named after the bench.
    init(name: String, source: String, sampleShape: [Int], count: Int) throws {
        let file = SourceFile(name: "bench/\(name).eqx", bytes: Array(source.utf8))
        let (script, syntax) = parse(file)
        let probe = BenchmarkDataProbe(shape: DataShape(sampleShape: sampleShape, classes: 10, trainCount: count, testCount: nil))
        let (program, semantic) = Checker(file: file, probe: probe).check(script)
        let errors = (syntax + semantic).filter { $0.severity == .error }
        guard errors.isEmpty, let program else {
            throw BenchmarkError.invalidScript(name, errors.map { "\($0.id) \($0.message)" })
        }
        self.program = program
        var rng = RandomStream(seed: 0, name: "bench/data/\(name)")
        let size = sampleShape.reduce(1, *)
        let inputs = (0..<(count * size)).map { _ in rng.uniform(0, 1) }
        let labels = (0..<count).map { _ in rng.int(below: 10) }
        data = try Dataset(name: "bench", sampleShape: sampleShape, inputs: inputs, labels: labels, classes: 10)
    }

    var trainings: [TrainSpec] {
        program.steps.compactMap { if case .train(let t) = $0 { return t } else { return nil } }
    }

    var merges: [MergeSpec] {
        program.steps.compactMap { if case .merge(let m) = $0 { return m } else { return nil } }
    }

    /// The network a training starts from, initialised as `eqx run` does.
    func network(_ spec: TrainSpec) -> Network {
        Network(spec: spec.network, seed: spec.seed, streamName: spec.seedName)
    }

    /// The data a `DataRef` selects (the synthetic split has only `train`).
    func data(_ ref: DataRef) throws -> Dataset {
        guard let range = ref.range else { return data }
        return try data.subset(range)
    }

    /// Milliseconds of each training step after the first `skip`, timed between the trainer's progress
    /// reports (so each interval is one `Trainer` step exactly as `eqx run` takes it).
    func trainingStepTimes(_ spec: TrainSpec, skip: Int) throws -> [Double] {
        let trainer = try Trainer(spec: spec, network: network(spec), data: data, evaluation: [])
        var stamps = [DispatchTime.now().uptimeNanoseconds]
        _ = try trainer.run(progress: { _ in stamps.append(DispatchTime.now().uptimeNanoseconds) })
        let times = zip(stamps.dropFirst(), stamps).map { Double($0 - $1) / 1e6 }
        return Array(times.dropFirst(skip))
    }

    /// The inputs of a merge as the executor builds them: matching batches of 250, batch-norm reset on x
    /// and g·x for a self-merge, the evaluation data.
    func mergeInputs(_ spec: MergeSpec, base: Network) throws -> MergeInputs {
        guard case .transformed(let g, let element) = spec.target else {
            throw BenchmarkError.invalidSettings("bench merge '\(spec.id)' must be a self-merge")
        }
        let group = try g.finiteGroup(forInput: spec.network.inputShape)
        var matching: [Tensor] = []
        if case .activations(let ref, _) = spec.matching { matching = try data(ref).sequentialBatches(size: 250).map(\.inputs) }
        var reset: [Tensor] = []
        if let ref = spec.resetBatchNorm {
            let batches = try data(ref).sequentialBatches(size: 250).map(\.inputs)
            let action = try NetworkRepresentation(group: group, spec: spec.network, hidden: .trivial).inputAction
            reset = try batches + batches.map { try $0.acted(by: action, element: element) }
        }
        let evals = try spec.evaluation.map { ($0.description, try data($0)) }
        return MergeInputs(base: base, partner: nil, group: group, matchingBatches: matching, resetBatches: reset,
                           evaluation: evals, loss: .crossEntropy)
    }
}
