import EqxIR
import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining
import Foundation
import EqxEvaluation

public enum BenchmarkError: Error, CustomStringConvertible {
    case unknownBenchmark(String, available: [String])
    case invalidSettings(String)
    /// A bench script the checker rejects: a bug in EqxBench, reported with the checker's diagnostics.
    case invalidScript(String, [String])

    public var description: String {
        switch self {
        case let .unknownBenchmark(name, available):
            return "unknown benchmark '\(name)'; available: \(available.joined(separator: ", "))"
        case let .invalidSettings(message):
            return "invalid benchmark settings: \(message)"
        case let .invalidScript(name, errors):
            return "benchmark script '\(name)' does not check: \(errors.joined(separator: "; "))"
        }
    }
}

/// Names accepted by `runBenchmarks`, in the order they run.
public let benchmarkNames = ["sgemm", "mnist_cnn_train", "vgg11q_train", "vgg11q_infer", "fmnist_vgg_train",
                             "fmnist_gcnn_train", "c4_equivariant_train", "c4_nominal_train", "eval_10k", "merge_flip",
                             "c4_conv_expanded", "c4_conv_tied"]

/// Benches whose one step is a whole evaluation or merge: they take a third of the warm-up and timed steps.
let longBenchmarks: Set<String> = ["eval_10k", "merge_flip"]

/// Runs the named benchmarks (all when nil) with `threads` compute threads: `warmup` untimed steps, then
/// `iterations` timed steps, reporting the median. Every network comes from an eqx script
/// (`BenchmarkScripts`) through the checker, `Network`, `Trainer`, `evaluate` and `Merger`, as `eqx run`
/// runs it. `pct_sgemm_peak` is relative to the 2048³ sgemm rate, measured even when `sgemm` is not requested.
public func runBenchmarks(names: [String]?, threads: Int, warmup: Int, iterations: Int) throws -> [BenchmarkResult] {
    let selected = names ?? benchmarkNames
    for name in selected where !benchmarkNames.contains(name) {
        throw BenchmarkError.unknownBenchmark(name, available: benchmarkNames)
    }
    guard threads >= 1, warmup >= 0, iterations >= 1 else {
        throw BenchmarkError.invalidSettings("threads \(threads) and iterations \(iterations) must be >= 1, warmup \(warmup) >= 0")
    }
    let savedThreads = ComputeThreads.count
    ComputeThreads.count = threads
    defer { ComputeThreads.count = savedThreads }

    var results = [BenchmarkResult]()
    resetPeakRSS()
    let gemm = try sgemmBenchmark(warmup: warmup, iterations: iterations)
    if selected.contains("sgemm") { results.append(gemm) }
    for name in benchmarkNames where name != "sgemm" && selected.contains(name) {
        resetPeakRSS()
        let long = longBenchmarks.contains(name)
        var r = try benchmark(name, warmup: long ? max(1, warmup / 3) : warmup, iterations: long ? max(1, iterations / 3) : iterations)
        r.pctSgemmPeak = 100 * r.gflops / gemm.gflops
        results.append(r)
    }
    return results
}

func benchmark(_ name: String, warmup: Int, iterations: Int) throws -> BenchmarkResult {
    let s = BenchmarkScripts.self
    switch name {
    case "mnist_cnn_train":
        return try trainingBenchmark(name, s.mnistCNN, mode: "nominal", loss: "mse", optimizer: "sgd(lr: 0.0005)",
                                     batch: 100, sampleShape: [1, 28, 28], warmup: warmup, iterations: iterations)
    case "vgg11q_train":
        return try trainingBenchmark(name, s.vgg11Quarter, mode: "nominal", loss: "crossentropy",
                                     optimizer: "sgd(lr: 0.01, momentum: 0.9)", batch: 128, sampleShape: [3, 32, 32],
                                     warmup: warmup, iterations: iterations)
    case "vgg11q_infer":
        return try evaluationBenchmark(name, s.vgg11Quarter, images: 512, batch: 512, sampleShape: [3, 32, 32],
                                       warmup: warmup, iterations: iterations)
    case "fmnist_vgg_train", "fmnist_gcnn_train":
        let mode = name == "fmnist_vgg_train" ? "nominal" : "equivariant(flip, channels: regular)"
        return try trainingBenchmark(name, s.fashionVGG, mode: mode, loss: "crossentropy", optimizer: "sgd(lr: 0.05, momentum: 0.9)",
                                     batch: 128, sampleShape: [1, 28, 28], warmup: warmup, iterations: iterations)
    case "c4_equivariant_train", "c4_nominal_train":
        let mode = name == "c4_nominal_train" ? "nominal" : "equivariant(rot)"
        return try trainingBenchmark(name, s.nordenforsCNN, mode: mode, loss: "mse", optimizer: "sgd(lr: 0.005)",
                                     batch: 100, sampleShape: [1, 28, 28], warmup: warmup, iterations: iterations)
    case "eval_10k":
        return try evaluationBenchmark(name, s.fashionVGG, images: 10_000, batch: 1000, sampleShape: [1, 28, 28],
                                       warmup: warmup, iterations: iterations)
    case "merge_flip":
        return try mergeBenchmark(name, warmup: warmup, iterations: iterations)
    case "c4_conv_expanded", "c4_conv_tied":
        return try tiedConvolutionBenchmark(name, tied: name == "c4_conv_tied", warmup: warmup, iterations: iterations)
    default:
        throw BenchmarkError.unknownBenchmark(name, available: benchmarkNames)
    }
}

/// Median of `times` (milliseconds).
func median(_ times: [Double]) -> Double {
    let t = times.sorted()
    let mid = t.count / 2
    return t.count % 2 == 1 ? t[mid] : (t[mid - 1] + t[mid]) / 2
}

/// Median of `iterations` timings of `step` (milliseconds) after `warmup` untimed calls.
func medianMilliseconds(warmup: Int, iterations: Int, _ step: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try step() }
    var times = [Double]()
    for _ in 0..<iterations {
        let start = DispatchTime.now().uptimeNanoseconds
        try step()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return median(times)
}

func result(_ name: String, ms: Double, images: Int, flopsPerStep: Double) -> BenchmarkResult {
    BenchmarkResult(bench: name, msPerStep: ms, imagesPerSecond: Double(images) / (ms / 1000),
                    gflops: flopsPerStep / (ms / 1000) / 1e9, pctSgemmPeak: 0, peakRSSMegabytes: peakRSSMegabytes())
}

/// Multiply-adds of one sample's forward pass through the conv, linear and dense layers.
func multiplyAdds(_ spec: NetworkSpec) -> Int {
    spec.flattenedLayers.reduce(0) { total, layer in
        guard layer.kind.mixesChannels, let weight = layer.parameterShapes.first(where: { $0.0 == "weight" })?.1 else { return total }
        let count = weight.reduce(1, *)
        // A conv applies its weight at every output pixel; linear and dense use each weight once.
        return total + (weight.count == 4 ? count * layer.outputShape.dropFirst().reduce(1, *) : count)
    }
}

func sgemmBenchmark(warmup: Int, iterations: Int) throws -> BenchmarkResult {
    let n = 2048
    var rng = RandomStream(seed: 0, name: "bench/sgemm")
    let a = rng.uniformTensor([n, n], -1, 1), b = rng.uniformTensor([n, n], -1, 1)
    // Through the runtime's own GEMM path (partitioned over `threads`), as the networks use it.
    let ms = try medianMilliseconds(warmup: max(warmup, 2), iterations: max(iterations, 5)) {
        _ = try a.matmul(b)
    }
    var r = result("sgemm", ms: ms, images: 0, flopsPerStep: 2 * Double(n * n * n))
    r.imagesPerSecond = 0
    r.pctSgemmPeak = 100
    return r
}

/// `warmup + iterations` steps of a `train` statement; FLOPs count forward + both backward GEMMs (3×).
func trainingBenchmark(_ name: String, _ net: String, mode: String, loss: String, optimizer: String, batch: Int,
                       sampleShape: [Int], warmup: Int, iterations: Int) throws -> BenchmarkResult {
    // The first step also projects the initial weights (equivariant mode): never time it.
    let skip = max(warmup, 1)
    let source = BenchmarkScripts.training(net, name: name, mode: mode, loss: loss, optimizer: optimizer,
                                           batch: batch, steps: skip + iterations)
    let workload = try ScriptedWorkload(name: name, source: source, sampleShape: sampleShape, count: 8 * batch)
    guard let spec = workload.trainings.first else { throw BenchmarkError.invalidScript(name, ["no train statement"]) }
    let ms = median(try workload.trainingStepTimes(spec, skip: skip))
    return result(name, ms: ms, images: batch, flopsPerStep: 6 * Double(multiplyAdds(spec.network) * batch))
}

/// `evaluate` (eval-mode forward, loss and accuracy) over `images` samples in batches of `batch`; one step
/// is the whole pass.
func evaluationBenchmark(_ name: String, _ net: String, images: Int, batch: Int, sampleShape: [Int],
                         warmup: Int, iterations: Int) throws -> BenchmarkResult {
    let source = BenchmarkScripts.training(net, name: name, mode: "nominal", loss: "crossentropy", optimizer: "sgd(lr: 0.01)",
                                           batch: batch, steps: 1)
    let workload = try ScriptedWorkload(name: name, source: source, sampleShape: sampleShape, count: images)
    guard let spec = workload.trainings.first else { throw BenchmarkError.invalidScript(name, ["no train statement"]) }
    let network = workload.network(spec)
    let ms = try medianMilliseconds(warmup: warmup, iterations: iterations) {
        _ = try evaluate(network, on: workload.data, loss: .crossEntropy, batchSize: batch)
    }
    return result(name, ms: ms, images: images, flopsPerStep: 2 * Double(multiplyAdds(spec.network) * images))
}

/// The flip self-merge of `BenchmarkScripts.flipMerge`: one step is matching plus the whole α curve. Images
/// per second count every image the step pushes through a network (matching runs both endpoints).
func mergeBenchmark(_ name: String, warmup: Int, iterations: Int) throws -> BenchmarkResult {
    let workload = try ScriptedWorkload(name: name, source: BenchmarkScripts.flipMerge, sampleShape: [1, 28, 28], count: 7000)
    guard let train = workload.trainings.first, let spec = workload.merges.first else {
        throw BenchmarkError.invalidScript(name, ["no train and merge statements"])
    }
    let inputs = try workload.mergeInputs(spec, base: workload.network(train))
    let ms = try medianMilliseconds(warmup: warmup, iterations: iterations) {
        _ = try Merger(spec: spec, inputs: inputs).run()
    }
    let alphas = spec.alphas.count
    let images = 2 * inputs.matchingBatches.reduce(0) { $0 + $1.shape[0] }
        + alphas * (inputs.resetBatches.reduce(0) { $0 + $1.shape[0] } + inputs.evaluation.reduce(0) { $0 + $1.data.count })
    return result(name, ms: ms, images: images, flopsPerStep: 2 * Double(multiplyAdds(spec.network) * images))
}

/// One C4-tied 3×3 conv layer (64 → 64 channels, 14×14, batch 100; forward, input and weight gradients),
/// either with the free weights expanded to the full kernel for `conv2d` (as E is used today) or through
/// `orbitTiedConv2d` (K = 64·3 instead of 64·9), which equivariant training with trivial channels now runs.
func tiedConvolutionBenchmark(_ name: String, tied: Bool, warmup: Int, iterations: Int) throws -> BenchmarkResult {
    let batch = 100, channels = 64, size = 14
    let orbits = try TapOrbits.rotations(3)
    var rng = RandomStream(seed: 0, name: "bench/\(name)")
    let x = rng.uniformTensor([batch, channels, size, size], -1, 1)
    let free = rng.uniformTensor([channels, channels, orbits.count], -0.1, 0.1)
    let seed = rng.uniformTensor([batch, channels, size, size], -1, 1)
    let ms = try medianMilliseconds(warmup: warmup, iterations: iterations) {
        let xv = Variable(x, requiresGrad: true), wv = Variable(free, requiresGrad: true)
        let y = tied ? try orbitTiedConv2d(xv, weight: wv, orbits: orbits, padding: 1)
            : try conv2d(xv, weight: try expandOverOrbits(wv, orbits), padding: 1)
        try y.backward(seed: seed)
    }
    // Counted as the full conv's work, so the two GFLOP/s figures compare like images/s.
    return result(name, ms: ms, images: batch, flopsPerStep: 6 * Double(channels * channels * 9 * size * size * batch))
}

/// The full kernel of free weights [O, C, R] as a differentiable gather (the gradient sums each orbit).
func expandOverOrbits(_ free: Variable, _ orbits: TapOrbits) throws -> Variable {
    let s = free.shape, taps = orbits.kernelHeight * orbits.kernelWidth
    let index = (0..<(s[0] * s[1] * taps)).map { ($0 / taps) * orbits.count + orbits.orbit[$0 % taps] }
    return try gather(free, indices: index, shape: [s[0], s[1], orbits.kernelHeight, orbits.kernelWidth])
}

/// Resets the kernel's peak-RSS counter (VmHWM) for this process, so each benchmark reports its own peak.
func resetPeakRSS() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

/// VmHWM from /proc/self/status in MiB (0 where unavailable).
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return 0
}
