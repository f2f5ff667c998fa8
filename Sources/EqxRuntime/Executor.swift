import Crypto
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

public let eqxVersion = "0.1.0"

public struct RunOptions {
    /// The run directory (`--out`); default `runs/<script>/<run-id>` under the current directory.
    public var outputDirectory: URL?
    public var runsRoot: URL
    public var scriptName: String
    /// Relative data paths are resolved against it.
    public var scriptDirectory: URL
    public var threads: Int
    /// Retrain even when a cached checkpoint matches (`--fresh`).
    public var fresh: Bool
    /// Continue an interrupted training from its partial checkpoint (`--resume`).
    public var resume: Bool
    /// Write nothing to disk (the REPL's scratch mode and `eqx check`-like dry runs).
    public var writesFiles: Bool

    public init(scriptName: String, scriptDirectory: URL, outputDirectory: URL? = nil,
                runsRoot: URL = URL(fileURLWithPath: "runs"), threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                fresh: Bool = false, resume: Bool = false, writesFiles: Bool = true) {
        self.scriptName = scriptName; self.scriptDirectory = scriptDirectory; self.outputDirectory = outputDirectory
        self.runsRoot = runsRoot; self.threads = threads; self.fresh = fresh; self.resume = resume
        self.writesFiles = writesFiles
    }
}

/// What the executor tells its caller while it runs; the CLI and REPL decide how to show it.
public enum RunEvent {
    case started(runDirectory: URL?, runID: String)
    case statement(String)
    case training(TrainingProgress)
    case merging(MergeProgress)
    case reused(String)
    case resumed(String, step: Int)
    case table(ResultTable)
    case wrote(URL)
    case note(String)
    /// Something the user should know that does not stop the run (a cache entry that did not verify).
    case warning(String)
}

/// Ctrl-C during a training (the current step finished and a checkpoint was written) or a merge (stopped
/// between two steps; nothing of it is kept).
public struct Interrupted: Error, CustomStringConvertible {
    public var statement: String
    /// What `eqx run --resume` does about the statement.
    var onResume: String
    /// A training's weights at the step it stopped, with what it recorded so far (`outcome.interrupted`):
    /// the REPL keeps them under the train's name (`Executor.keep`).
    public var partialTraining: (network: Network, outcome: TrainingOutcome, spec: TrainSpec)?
    public var description: String { "interrupted during '\(statement)'; `eqx run --resume` \(onResume)" }
}

/// Runs a checked program on the tensor runtime and records everything it computes.
public final class Executor {
    public private(set) var program: Program
    let canonicalSource: String
    let options: RunOptions
    let observer: (RunEvent) -> Void
    let shouldStop: () -> Bool

    public private(set) var data: [String: LoadedData] = [:]
    public private(set) var trained: [String: (network: Network, outcome: TrainingOutcome, spec: TrainSpec)] = [:]
    /// The float64 networks of `precision float64` trainings; `trained` holds their float32 rounding, which
    /// merges and predictions use, while measurements use these.
    public private(set) var trained64: [String: Network64] = [:]
    public private(set) var merges: [String: (merger: Merger, outcome: MergeOutcome)] = [:]
    private var mergedNetworks: [String: Network] = [:]
    public internal(set) var tables: [String: ResultTable] = [:]
    public internal(set) var tableOrder: [String] = []
    var figures = FigureBuilder()
    /// Held for the whole run: one writer per run directory.
    var claim: RunDirectory?
    var timings: [(String, Double)] = []
    /// Trainings and merges that units computed in other processes (`Executor+Units`).
    var collected = CollectedResults()
    /// Checkpoint file name → the instance it belongs to.
    private var checkpointOwners: [String: String] = [:]
    public private(set) var runDirectory: URL?
    public private(set) var runID = ""
    var started = Date()

    public init(program: Program, canonicalSource: String, options: RunOptions,
                observer: @escaping (RunEvent) -> Void = { _ in }, shouldStop: @escaping () -> Bool = { false }) {
        self.program = program
        self.canonicalSource = canonicalSource
        self.options = options
        self.observer = observer
        self.shouldStop = shouldStop
        ComputeThreads.count = max(1, options.threads)
    }

    var cacheDirectory: URL? {
        guard options.writesFiles else { return nil }
        if let out = options.outputDirectory { return out.appendingPathComponent("cache") }
        return options.runsRoot.appendingPathComponent(options.scriptName).appendingPathComponent("cache")
    }

    /// Runs the whole program: data first (its fingerprints name the run), then every statement in order.
    /// Results written so far stay on disk when a later statement fails.
    public func run() throws {
        started = Date()
        defer { claim?.release(); claim = nil }
        for case .data(let d) in program.steps { try execute(.data(d)) }
        try prepareRunDirectory()
        do {
            for step in program.steps {
                if case .data = step { continue }
                try execute(step)
            }
        } catch {
            try? writeResults(complete: false, failure: "stopped: \(error)")
            throw error
        }
        try writeResults(complete: true)
    }

    /// Run id = hash of the eqx version, the thread count, the canonical script and the data fingerprints:
    /// everything the results depend on, so runs with different results never share a directory.
    ///
    /// `claiming: false` is for a sweep's units, which run side by side and write only their own files into a
    /// directory the submitting side has claimed and prepared: they take no lock and remove nothing.
    func prepareRunDirectory(claiming: Bool = true) throws {
        runID = makeRunID()
        if options.writesFiles {
            let dir = options.outputDirectory
                ?? options.runsRoot.appendingPathComponent(options.scriptName).appendingPathComponent(runID)
            guard claiming else {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                runDirectory = dir
                observer(.started(runDirectory: runDirectory, runID: runID))
                return
            }
            claim = try RunDirectory(dir, runID: runID, scriptName: options.scriptName)
            if let old = claim?.replacedRun {
                observer(.note("\(dir.path) held run \(old); its files were removed for this run (the training cache is kept)"))
            }
            try AtomicFile.write(canonicalSource, to: dir.appendingPathComponent("operative.eqx"))
            runDirectory = dir
        }
        observer(.started(runDirectory: runDirectory, runID: runID))
    }

    func makeRunID() -> String {
        var hasher = SHA256()
        hasher.update(data: Array("eqx \(eqxVersion)\nthreads \(ComputeThreads.count)\n".utf8))
        hasher.update(data: Array(canonicalSource.utf8))
        for id in data.keys.sorted() {
            hasher.update(data: Array("\(id):\(data[id]!.train.fingerprint):\(data[id]!.test?.fingerprint ?? "-")\n".utf8))
        }
        return String(hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(12))
    }

    /// Executes one step (the REPL calls this statement by statement).
    public func execute(_ step: Step) throws {
        do {
            try run(step)
        } catch var e as RuntimeError where e.range == nil {
            e.range = step.range
            throw e
        } catch let e as MeasurementError {
            throw RuntimeError(e.description, range: step.range)
        }
    }

    private func run(_ step: Step) throws {
        let t0 = Date()
        let label: String
        switch step {
        case .data(let d):
            label = "data \(d.id)"
            if data[d.id] == nil {
                do {
                    data[d.id] = try DataResolver.load(d, base: options.scriptDirectory, seed: program.seed)
                } catch let e as DataError {
                    throw RuntimeError("cannot load data '\(d.id)': \(e)", range: d.range, exitCode: 66)
                }
            }
        case .train(let t):
            label = "train \(t.id)"
            observer(.statement(label))
            try train(t)
        case .merge(let m):
            label = "merge \(m.id)"
            observer(.statement(label))
            try merge(m)
        case .report(let r):
            label = "report \(r.table)"
            try report(r)
        case .plot(let p):
            label = "plot \(p.name)"
            try plot(p)
        case .save(let s):
            label = "save \(s.path)"
            let net = try network(s.model)
            switch s.content {
            case .checkpoint:
                if let url = resolveOutput(s.path) {
                    let metadata = ["format": "pt", "eqx_network": s.network.name]
                    if let wide = try network64(s.model) {
                        try Checkpoints.write(wide.state, to: url, metadata: metadata)
                    } else {
                        try Checkpoints.write(net.state, to: url, metadata: metadata)
                    }
                    observer(.wrote(url))
                }
            case let .predictions(ref, format):
                try savePredictions(net, on: ref, format: format, path: s.path)
            }
        case .summarize(let table):
            label = "summarize \(table)"
            summarize(table)
        }
        timings.append((label, Date().timeIntervalSince(t0)))
    }

    func resolveOutput(_ path: String) -> URL? {
        guard options.writesFiles else { return nil }
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        return (runDirectory ?? URL(fileURLWithPath: ".")).appendingPathComponent(path)
    }

    // MARK: Models

    func dataset(_ ref: DataRef) throws -> Dataset {
        guard let d = data[ref.data] else { throw RuntimeError("data '\(ref.data)' is not loaded") }
        return try d.resolve(ref)
    }

    public func network(_ ref: ModelRef) throws -> Network {
        switch ref {
        case .trained(let id):
            guard let t = trained[id] else { throw RuntimeError("'\(id)' has not been trained") }
            return t.network
        case .merged(let id, let alpha, let curve):
            let key = "\(id)@\(alpha)" + (curve.map { "/\($0.rawValue)" } ?? "")
            if let n = mergedNetworks[key] { return n }
            guard let m = merges[id] else { throw RuntimeError("merge '\(id)' has not run") }
            let n = try m.merger.network(at: alpha, curve: curve)
            mergedNetworks[key] = n
            return n
        case .loaded(let path, let spec):
            let url = DataResolver.url(path, base: options.scriptDirectory)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw RuntimeError("checkpoint \(url.path) does not exist", exitCode: 66)
            }
            let template = Network(spec: spec, seed: 0, streamName: "load")
            let contents = try SafeTensors.read(url)
            return try Network(spec: spec, state: Checkpoints.readState(contents, template: template.state, file: url.path))
        case .transformed(let inner, let g, let element):
            let base = try network(inner)
            let group = try g.finiteGroup(forInput: base.spec.inputShape)
            let rep = try NetworkRepresentation(group: group, spec: base.spec, hidden: .trivial)
            return try Network(spec: base.spec, state: rep.transform(base.state, element: element))
        }
    }

    /// The float64 network `ref` names, or nil for a float32 one: a `precision float64` training's, or its
    /// transform by a group element. (Merges and loaded checkpoints are float32.)
    public func network64(_ ref: ModelRef) throws -> Network64? {
        switch ref {
        case .trained(let id): return trained64[id]
        case .transformed(let inner, let g, let element):
            guard let base = try network64(inner) else { return nil }
            let group = try g.finiteGroup(forInput: base.spec.inputShape)
            let rep = try NetworkRepresentation(group: group, spec: base.spec, hidden: .trivial)
            return try Network64(spec: base.spec, state: rep.transform(base.state, element: element))
        case .merged, .loaded: return nil
        }
    }

    // MARK: Training

    /// A `precision float64` training: the start (fresh, another training's float64 network, or any other
    /// network widened exactly; a checkpoint's F64 tensors as stored) and every step in float64. Not cached:
    /// the training cache holds float32 entries, and a float32 entry must never stand in for a float64 run.
    private func trainInFloat64(_ spec: TrainSpec) throws {
        let net: Network64
        switch spec.initialWeights {
        case nil: net = Network64(spec: spec.network, seed: spec.seed, streamName: spec.seedName)
        case .loaded(let path, let loadedSpec)?:
            let url = DataResolver.url(path, base: options.scriptDirectory)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw RuntimeError("checkpoint \(url.path) does not exist", exitCode: 66)
            }
            let template = Network(spec: loadedSpec, seed: 0, streamName: "load")
            net = try Network64(spec: loadedSpec, state: Checkpoints.readState64(SafeTensors.read(url), template: template.state,
                                                                                 file: url.path))
        case let initial?:
            if let wide = try network64(initial) {
                net = wide.copy()
            } else {
                let narrow = try network(initial)
                net = try Network64(spec: narrow.spec, state: narrow.state.converted(to: Double.self))
                net.batchNormBatches = narrow.batchNormBatches
            }
        }
        let evals = try spec.evaluation.map { ($0.description, try dataset($0)) }
        let trainer = try Trainer64(spec: spec, network: net, data: try dataset(spec.data), evaluation: evals)
        let outcome: TrainingOutcome
        do {
            outcome = try trainer.run(progress: { [observer] in observer(.training($0)) }, shouldStop: shouldStop)
        } catch let e as TrainingError {
            throw RuntimeError(e.description, range: spec.range)
        } catch let e as MeasurementError {
            throw RuntimeError(e.description, range: spec.range)
        }
        let narrow = try Network(spec: net.spec, state: net.state.converted(to: Float.self))
        narrow.batchNormBatches = net.batchNormBatches
        if outcome.interrupted {
            throw Interrupted(statement: "train \(spec.id)", onResume: "starts again (float64 trainings are not cached)",
                              partialTraining: (narrow, outcome, spec))
        }
        trained[spec.id] = (narrow, outcome, spec)
        trained64[spec.id] = net
        if let dir = runDirectory {
            let url = dir.appendingPathComponent("checkpoints").appendingPathComponent("\(checkpointName(spec.id)).safetensors")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Checkpoints.write(net.state, to: url, metadata: ["format": "pt", "eqx_network": spec.network.name])
        }
    }

    private func train(_ spec: TrainSpec) throws {
        switch spec.precision {
        case .float64: return try trainInFloat64(spec)
        case .float32: break
        }
        let net: Network
        if let initial = spec.initialWeights {
            net = try network(initial).copy()
        } else {
            net = Network(spec: spec.network, seed: spec.seed, streamName: spec.seedName)
        }
        let trainData = try dataset(spec.data)
        let evals = try spec.evaluation.map { ($0.description, try dataset($0)) }
        let learned = try learnedPermutations(spec)
        let trainer = try Trainer(spec: spec, network: net, data: trainData, evaluation: evals, learned: learned)
        let key = cacheKey(spec, data: trainData, initial: net.state, learned: learned)
        let finished = cacheDirectory?.appendingPathComponent("train-\(key).safetensors")
        let partial = cacheDirectory?.appendingPathComponent("train-\(key).partial.safetensors")
        let fm = FileManager.default
        var outcome: TrainingOutcome
        let expect = { (finished: Bool) in
            TrainingCacheEntry.Expectation(template: net.state, optimizer: spec.optimizer,
                                           totalSteps: trainer.totalSteps, finished: finished)
        }
        if let f = finished, !options.fresh, fm.fileExists(atPath: f.path),
           let cached = verifiedEntry(f, expect(true)) {
            net.state = cached.state
            outcome = cached.outcome
            observer(.reused(spec.id))
        } else {
            var checkpoint: TrainingCheckpoint? = nil
            if options.resume, let p = partial, fm.fileExists(atPath: p.path), let c = verifiedEntry(p, expect(false)) {
                checkpoint = TrainingCheckpoint(step: c.step, state: c.state, optimizerState: c.optimizer, outcome: c.outcome)
                observer(.resumed(spec.id, step: c.step))
            }
            do {
                outcome = try trainer.run(from: checkpoint, progress: { [observer] in observer(.training($0)) },
                                          shouldStop: shouldStop)
            } catch let e as TrainingError {
                throw RuntimeError(e.description, range: spec.range)
            } catch let e as MeasurementError {
                throw RuntimeError(e.description, range: spec.range)
            }
            if outcome.interrupted, let c = outcome.checkpoint {
                if let p = partial {
                    try fm.createDirectory(at: p.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try TrainingCacheEntry.write(.init(state: c.state, optimizer: c.optimizerState, outcome: c.outcome, step: c.step),
                                                 to: p, metadata: ["eqx_run": spec.id])
                    observer(.wrote(p))
                }
                throw Interrupted(statement: "train \(spec.id)", onResume: "continues from the last step",
                                  partialTraining: (net, outcome, spec))
            }
            if let f = finished {
                try fm.createDirectory(at: f.deletingLastPathComponent(), withIntermediateDirectories: true)
                try TrainingCacheEntry.write(.init(state: net.state, optimizer: [:], outcome: outcome, step: outcome.steps),
                                             to: f, metadata: ["eqx_run": spec.id])
                if let p = partial { try? fm.removeItem(at: p) }
            }
        }
        trained[spec.id] = (net, outcome, spec)
        if let dir = runDirectory {
            let url = dir.appendingPathComponent("checkpoints").appendingPathComponent("\(checkpointName(spec.id)).safetensors")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Checkpoints.write(net.state, to: url, metadata: ["format": "pt", "eqx_network": spec.network.name])
        }
    }

    /// An interrupted training's weights, kept as if it had finished (its outcome says it did not).
    public func keep(_ partial: (network: Network, outcome: TrainingOutcome, spec: TrainSpec)) {
        trained[partial.spec.id] = partial
    }

    /// A cache entry that verifies, or nil after a warning: a bad entry is recomputed, never trusted.
    private func verifiedEntry(_ url: URL, _ expectation: TrainingCacheEntry.Expectation) -> TrainingCacheEntry? {
        do {
            return try TrainingCacheEntry.read(url, expecting: expectation)
        } catch {
            observer(.warning("ignoring cache entry \(error); computing it again"))
            return nil
        }
    }

    /// The checkpoint file name of a train instance: its id made file-safe, and, when that form is already
    /// another instance's (`a#0` and a top-level `a_0` are both `a_0`), with a digest of the id appended.
    func checkpointName(_ id: String) -> String {
        var name = safeName(id)
        if let owner = checkpointOwners[name], owner != id {
            let digest = SHA256.hash(data: Array(id.utf8)).map { String(format: "%02x", $0) }.joined()
            name += "-" + digest.prefix(8)
        }
        checkpointOwners[name] = id
        return name
    }

    /// Same network, data, settings, seed, starting weights and thread count ⇒ same key ⇒ the checkpoint is
    /// reused. The thread count is in the key because it changes how sums are split, hence the weights. A
    /// learned representation (`channels: m.representation`) enters by its permutations, not its name: the
    /// same merge statement can learn other permutations when its inputs change.
    func cacheKey(_ spec: TrainSpec, data: Dataset, initial: StateDict,
                  learned: [LearnedChannels: [String: ChannelRepresentation]] = [:]) -> String {
        var s = spec
        s.range = .none
        s.network = spec.network.strippingRanges()
        s.initialWeights = nil
        var hasher = SHA256()
        hasher.update(data: Array("eqx \(eqxVersion) train\nthreads \(ComputeThreads.count)\n\(s)\n\(data.fingerprint)\n".utf8))
        for k in initial.keys {
            hasher.update(data: Array(k.utf8))
            initial[k]!.scalars.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        for l in learned.keys.sorted(by: { $0.description < $1.description }) {
            for layer in learned[l]!.keys.sorted() {
                hasher.update(data: Array("\(l) \(layer) \(learned[l]![layer]!)\n".utf8))
                if case .permutations(let perms) = learned[l]![layer]! {
                    hasher.update(data: Array(perms.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";").utf8))
                }
            }
        }
        return String(hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(24))
    }

    // MARK: Merging

    private func merge(_ spec: MergeSpec) throws {
        let base = try network(spec.base)
        var partner: Network? = nil
        var group: FiniteGroup? = nil
        var groupElements: [Int] = []
        switch spec.target {
        case .model(let ref): partner = try network(ref)
        case .transformed(let g, let e):
            group = try g.finiteGroup(forInput: spec.network.inputShape); groupElements = [e]
        case .orbit(let g):
            group = try g.finiteGroup(forInput: spec.network.inputShape); groupElements = Array(group!.elements.dropFirst())
        }
        var matching: [Tensor] = []
        if case .activations(let ref, _) = spec.matching {
            let d = try dataset(ref)
            guard d.count > 0 else { throw RuntimeError("matching data \(ref) is empty", range: spec.range, exitCode: 65) }
            matching = try d.sequentialBatches(size: 250).map(\.inputs)
        }
        var reset: [Tensor] = []
        if let ref = spec.resetBatchNorm {
            let batches = try dataset(ref).sequentialBatches(size: 250).map(\.inputs)
            reset = batches
            // A self-merge is re-estimated on x and g·x, so the merged network stays invariant.
            if let g = group {
                let action = try SampleAction.shared(group: g, sampleShape: spec.network.inputShape)
                for e in groupElements { reset += try batches.map { try $0.acted(by: action, element: e) } }
            }
        }
        let evals = try spec.evaluation.map { ($0.description, try dataset($0)) }
        let loss = rootTrain(spec.base)?.loss ?? .crossEntropy
        let inputs = MergeInputs(base: base, partner: partner, group: group, matchingBatches: matching,
                                 resetBatches: reset, evaluation: evals, loss: loss)
        do {
            let merger = try Merger(spec: spec, inputs: inputs, shouldStop: shouldStop,
                                    progress: { [observer] in observer(.merging($0)) })
            let outcome = try merger.run()
            merges[spec.id] = (merger, outcome)
        } catch is MergeCancelled {
            throw Interrupted(statement: "merge \(spec.id)", onResume: "runs the merge again")
        } catch let e as MergeError {
            throw RuntimeError(e.description, range: spec.range)
        } catch let e as MeasurementError {
            throw RuntimeError(e.description, range: spec.range)
        }
    }

    func rootTrain(_ ref: ModelRef) -> TrainSpec? {
        switch ref {
        case .trained(let id): return trained[id]?.spec
        case .transformed(let m, _, _): return rootTrain(m)
        case .merged(let id, _, _): return merges[id].flatMap { rootTrain($0.merger.spec.base) }
        case .loaded: return nil
        }
    }
}

func safeName(_ s: String) -> String {
    String(s.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." ? $0 : "_" })
}
