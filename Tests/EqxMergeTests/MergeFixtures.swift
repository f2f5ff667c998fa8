import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxSyntax
import EqxTensor
import EqxTraining
import EqxEvaluation

// Shared helpers for the merge tests: scripts checked by the real front end, random states, batches of the
// built-in digits and naive comparisons.

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// The script's header: the built-in digits (samples [1, 8, 8]) and the groups the tests use.
let scriptPrelude = """
    eqx 1
    seed 5
    data digits = builtin.digits
    group flip = mirror(horizontal)
    group rot = rotations(4)
    group d4 = dihedral(4)

    """

/// Parses and checks `text` with the built-in data probe; throws with the rendered messages on any error.
func checkedProgram(_ text: String) throws -> Program {
    let file = SourceFile(name: "merge-test.eqx", text: text)
    let (script, syntax) = EqxSyntax.parse(file)
    let (program, semantic) = Checker(file: file, probe: BuiltinDataProbe()).check(script)
    let errors = (syntax + semantic).filter { $0.severity == .error }
    guard let p = program, errors.isEmpty else {
        throw FixtureError(description: "script does not check: " + errors.map(\.message).joined(separator: "; "))
    }
    return p
}

/// The train statements of a program, by id.
func trainSpecs(_ program: Program) -> [String: TrainSpec] {
    var out: [String: TrainSpec] = [:]
    for case .train(let t) in program.steps { out[t.id] = t }
    return out
}

func mergeSpecs(_ program: Program) -> [String: MergeSpec] {
    var out: [String: MergeSpec] = [:]
    for case .merge(let m) in program.steps { out[m.id] = m }
    return out
}

/// The NetworkSpec of `net n { body }` instantiated on the digits (input [1, 8, 8]).
func networkSpec(_ body: String) throws -> NetworkSpec {
    let text = scriptPrelude + "net n {\n\(body)\n}\ntrain t = n on digits.train {\n  mode nominal\n  optimizer sgd(lr: 0.05)\n  batch 64\n  epochs 1\n}\n"
    guard let t = trainSpecs(try checkedProgram(text))["t"] else { throw FixtureError(description: "no train step 't'") }
    return t.network
}

/// The layer of `spec` called `name` (residual bodies included).
func layer(_ spec: NetworkSpec, _ name: String) throws -> Layer {
    guard let l = spec.flattenedLayers.first(where: { $0.name == name }) else {
        throw FixtureError(description: "no layer '\(name)' in \(spec.flattenedLayers.map(\.name))")
    }
    return l
}

/// A state whose every tensor is random and non-degenerate: weights and biases N(0, s²) with s from the
/// fan-in, batch-norm γ in [0.5, 1.5], β N(0, 0.1²), running means N(0, 0.1²), running variances in [0.5, 1.5].
func randomState(_ spec: NetworkSpec, seed: UInt64) -> StateDict {
    var state = Network(spec: spec, seed: seed, streamName: "random-state").state
    var rng = RandomStream(seed: seed, name: "test/random-state")
    for l in spec.flattenedLayers {
        for (suffix, shape) in l.parameterShapes + l.bufferShapes {
            let key = "\(l.name).\(suffix)"
            let t: Tensor
            switch (l.kind, suffix) {
            case (.batchNorm, "weight"), (.layerNorm, "weight"), (_, "running_var"):
                t = rng.uniformTensor(shape, 0.5, 1.5)
            case (.batchNorm, "bias"), (.layerNorm, "bias"), (_, "running_mean"):
                t = rng.normalTensor(shape, mean: 0, standardDeviation: 0.1)
            case (_, "weight"):
                let fanIn = shape.dropFirst().reduce(1, *)
                t = rng.normalTensor(shape, mean: 0, standardDeviation: 1 / Float(fanIn).squareRoot())
            default:
                t = rng.normalTensor(shape, mean: 0, standardDeviation: 0.1)
            }
            state[key] = t
        }
    }
    return state
}

/// The first `count` digits of a split as batches of at most `batch` samples.
func digitBatches(_ split: DataSplit, count: Int, batch: Int) throws -> [Tensor] {
    let data = try Digits.load(split: split)
    var out: [Tensor] = []
    var start = 0
    while start < min(count, data.count) {
        let end = min(count, data.count, start + batch)
        out.append(try data.batch(Array(start..<end)).inputs)
        start = end
    }
    return out
}

/// The first `count` test digits as a dataset (for evaluate / invarianceError).
func digitSubset(_ split: DataSplit, count: Int) throws -> Dataset {
    let data = try Digits.load(split: split)
    return try data.subset(0..<min(count, data.count), name: "digits/\(split)[0..<\(count)]")
}

/// max |a − b| over all entries (shapes must agree).
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "compare \(a.shape) with \(b.shape)")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

func maxAbs(_ a: Tensor) -> Float { a.scalars.reduce(0) { max($0, abs($1)) } }

/// The largest entry difference over every tensor of two state dicts with the same keys.
func maxStateDifference(_ a: StateDict, _ b: StateDict) -> (key: String, difference: Float) {
    var worst = ("", Float(0))
    for k in a.keys {
        guard let x = a[k], let y = b[k], x.shape == y.shape else { return (k, .infinity) }
        let d = maxAbsDifference(x, y)
        if d > worst.1 { worst = (k, d) }
    }
    return worst
}

/// Logits in eval mode.
func logits(_ spec: NetworkSpec, _ state: StateDict, _ x: Tensor) throws -> Tensor {
    try Network(spec: spec, state: state).forward(x, options: .evaluation).output.value
}

/// A uniformly random permutation of every symbol from a named stream.
func randomPermutation(_ symbols: PermutationSymbols, seed: UInt64, name: String) -> ChannelPermutation {
    var rng = RandomStream(seed: seed, name: name)
    return ChannelPermutation(perms: symbols.symbols.map { rng.permutation($0.channels) })
}

/// A merge statement checked by the front end: `merge m = a with TARGET { clauses }` on two trained copies
/// of `net n { body }`. Returns the merge spec (the executor would build the same).
func mergeSpec(net body: String, target: String, clauses: String) throws -> MergeSpec {
    let text = scriptPrelude + """
        net n {
        \(body)
        }
        train a = n on digits.train {
          mode nominal
          optimizer sgd(lr: 0.05)
          batch 64
          epochs 1
        }
        train b = n on digits.train {
          mode nominal
          optimizer sgd(lr: 0.05)
          batch 64
          epochs 1
        }
        merge m = a with \(target) {
        \(clauses)
          evaluate digits.test
        }

        """
    guard let m = mergeSpecs(try checkedProgram(text))["m"] else { throw FixtureError(description: "no merge step 'm'") }
    return m
}

/// Trains `net n { body }` on the digits as the script says (mode and epochs), exactly as the executor does.
func trainedNetwork(net body: String, mode: String, epochs: Int, seed: UInt64 = 5) throws -> Network {
    let text = scriptPrelude.replacingOccurrences(of: "seed 5", with: "seed \(seed)") + """
        net n {
        \(body)
        }
        train t = n on digits.train {
          mode \(mode)
          optimizer sgd(lr: 0.05, momentum: 0.9)
          batch 64
          epochs \(epochs)
        }

        """
    guard let spec = trainSpecs(try checkedProgram(text))["t"] else { throw FixtureError(description: "no train step 't'") }
    let net = Network(spec: spec.network, seed: spec.seed, streamName: spec.seedName)
    let trainer = try Trainer(spec: spec, network: net, data: try Digits.load(split: .train), evaluation: [])
    _ = try trainer.run()
    return net
}

/// Networks trained once per test process and shared by the tests that need realistic (non-random) weights.
enum TrainedFixtures {
    /// conv-bn-relu ×3 with a pool, global average pooling and a classifier; widths even so flips can pair
    /// channels.
    static let cnnBody = """
        conv 3x3 -> 8 pad 1
        batchnorm
        relu
        conv 3x3 -> 8 pad 1
        batchnorm
        relu
        maxpool 2
        conv 3x3 -> 16 pad 1
        batchnorm
        relu
        global avgpool
        linear -> 10
        """

    private static var cache: [String: Network] = [:]

    /// The CNN trained with `mode` for `epochs` epochs from the script seed `seed` (a fresh copy each call).
    static func cnn(mode: String, epochs: Int, seed: UInt64 = 5) throws -> Network {
        let key = "\(mode)|\(epochs)|\(seed)"
        if let n = cache[key] { return n.copy() }
        let n = try trainedNetwork(net: cnnBody, mode: mode, epochs: epochs, seed: seed)
        cache[key] = n
        return n.copy()
    }
}

/// Merge inputs evaluating on the first 400 test digits (the whole test split).
func mergeInputs(base: Network, partner: Network?, group: FiniteGroup?, matching: [Tensor], reset: [Tensor] = [])
    throws -> MergeInputs {
    MergeInputs(base: base, partner: partner, group: group, matchingBatches: matching, resetBatches: reset,
                evaluation: [(name: "digits.test", data: try Digits.load(split: .test))], loss: .crossEntropy)
}

/// Π_E of a random state whose batch-norm statistics are re-estimated on 300 training digits first, so every
/// hidden channel is normalised and alive (a dead channel's activations cannot be matched), then projected
/// again so the statistics are in E too.
func aliveProjectedState(_ spec: NetworkSpec, seed: UInt64, projector: ReynoldsProjector) throws -> StateDict {
    let net = try Network(spec: spec, state: projector.project(randomState(spec, seed: seed), includeBuffers: true))
    try net.resetBatchNormStatistics(on: digitBatches(.train, count: 300, batch: 300))
    return projector.project(net.state, includeBuffers: true)
}

/// θ plus independent Gaussian noise of `relative` times each tensor's RMS (running variances kept positive).
func perturbed(_ state: StateDict, relative: Float, seed: UInt64) throws -> StateDict {
    var out = state
    var rng = RandomStream(seed: seed, name: "test/noise")
    for k in state.keys {
        let t = state[k]!
        let rms = Float((t.squaredNorm / Double(t.count)).squareRoot())
        var n = rng.normalTensor(t.shape, mean: 0, standardDeviation: relative * rms)
        try n.add(t)
        if k.hasSuffix("running_var") { n = n.map { abs($0) } }
        out[k] = n
    }
    return out
}

/// A random state with batch-norm statistics re-estimated on 300 training digits, so hidden channels are
/// normalised and alive.
func aliveState(_ spec: NetworkSpec, seed: UInt64) throws -> StateDict {
    let net = try Network(spec: spec, state: randomState(spec, seed: seed))
    try net.resetBatchNormStatistics(on: digitBatches(.train, count: 300, batch: 300))
    return net.state
}

/// The representation on hidden channels that a matching π defines: [identity, π] on every producer.
func learnedRepresentation(_ symbols: PermutationSymbols, _ perms: [[Int]]) -> [String: ChannelRepresentation] {
    var learned: [String: ChannelRepresentation] = [:]
    for s in symbols.symbols {
        for p in s.producers { learned[p] = .permutations([Array(0..<s.channels), perms[s.id]]) }
    }
    return learned
}

/// A random involution of 0..<n with two fixed points.
func randomInvolution(_ n: Int, rng: inout RandomStream) -> [Int] {
    let order = rng.permutation(n)
    var sigma = Array(0..<n)
    for k in stride(from: 0, to: n - 3, by: 2) { sigma[order[k]] = order[k + 1]; sigma[order[k + 1]] = order[k] }
    return sigma
}

/// Every tensor of `a` equals `b`'s up to `tolerance` times max(1, max |a|).
func assertStatesEqual(_ a: StateDict, _ b: StateDict, tolerance: Float = 1e-6, _ message: String,
                       file: StaticString = #filePath, line: UInt = #line) {
    for k in a.keys {
        let scale = max(1, maxAbs(a[k]!))
        XCTAssertLessThanOrEqual(maxAbsDifference(a[k]!, b[k]!), tolerance * scale, "\(message): \(k)", file: file, line: line)
    }
}

/// A flip G-CNN (`TrainedFixtures.cnnBody`) for planted involutive channel representations σ, one per
/// permutation symbol, with relative noise: the network, the σ that matching should find, and Π_E for them.
func plantedInvolutionNetwork(stateSeed: UInt64, plantSeed: UInt64, noise: Float) throws
    -> (network: Network, sigmas: [[Int]], projector: ReynoldsProjector) {
    let spec = try networkSpec(TrainedFixtures.cnnBody)
    let symbols = PermutationSymbols(spec)
    var rng = RandomStream(seed: plantSeed, name: "test/involutions")
    let sigmas = symbols.symbols.map { randomInvolution($0.channels, rng: &rng) }
    let projector = try ReynoldsProjector(group: .mirror(.horizontal), spec: spec, hidden: .trivial,
                                          learned: learnedRepresentation(symbols, sigmas))
    let theta = try perturbed(aliveProjectedState(spec, seed: stateSeed, projector: projector), relative: noise, seed: plantSeed)
    return (try Network(spec: spec, state: theta), sigmas, projector)
}

/// Both matchings recover the permutation planted in `b` (b = p·a): B is re-indexed by p⁻¹.
func assertRecovers(_ p: ChannelPermutation, a: Network, b: Network, symbols: PermutationSymbols, trial: Int,
                    file: StaticString = #filePath, line: UInt = #line) throws {
    let expected = p.perms.map(inversePermutation)
    let batches = try digitBatches(.train, count: 300, batch: 150)
    XCTAssertEqual(try Matching.activations(a: a, b: b, symbols: symbols, batches: batches).perms, expected,
                   "activations, trial \(trial)", file: file, line: line)
    var rng = RandomStream(seed: UInt64(trial), name: "match/order/test")
    let (byWeights, _) = try Matching.weights(a: a.state, b: b.state, spec: a.spec, symbols: symbols, rng: &rng)
    XCTAssertEqual(byWeights.perms, expected, "weights, trial \(trial)", file: file, line: line)
}
