import EqxTensor
import Foundation

public enum BenchmarkError: Error, CustomStringConvertible {
    case unknownBenchmark(String, available: [String])
    case invalidSettings(String)

    public var description: String {
        switch self {
        case let .unknownBenchmark(name, available):
            return "unknown benchmark '\(name)'; available: \(available.joined(separator: ", "))"
        case let .invalidSettings(message):
            return "invalid benchmark settings: \(message)"
        }
    }
}

/// Names accepted by `runBenchmarks`, in the order they run.
public let benchmarkNames = ["sgemm", "mnist_cnn_train", "vgg11q_train", "vgg11q_infer"]

/// Runs the named benchmarks (all when nil) with `threads` compute threads: `warmup` untimed steps, then
/// `iterations` timed steps, reporting the median. `pct_sgemm_peak` is relative to the 1024³ sgemm rate,
/// which is measured even when `sgemm` is not requested.
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
    let peak = gemm.gflops
    for name in benchmarkNames where name != "sgemm" && selected.contains(name) {
        resetPeakRSS()
        var r: BenchmarkResult
        switch name {
        case "mnist_cnn_train": r = try mnistTrainBenchmark(warmup: warmup, iterations: iterations)
        case "vgg11q_train": r = try vggBenchmark(training: true, warmup: warmup, iterations: iterations)
        default: r = try vggBenchmark(training: false, warmup: warmup, iterations: iterations)
        }
        r.pctSgemmPeak = 100 * r.gflops / peak
        results.append(r)
    }
    return results
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
    times.sort()
    let mid = times.count / 2
    return times.count % 2 == 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2
}

func result(_ name: String, ms: Double, images: Int, flopsPerStep: Double) -> BenchmarkResult {
    BenchmarkResult(bench: name, msPerStep: ms, imagesPerSecond: Double(images) / (ms / 1000),
                    gflops: flopsPerStep / (ms / 1000) / 1e9, pctSgemmPeak: 0, peakRSSMegabytes: peakRSSMegabytes())
}

func sgemmBenchmark(warmup: Int, iterations: Int) throws -> BenchmarkResult {
    let n = 1024
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

func mnistTrainBenchmark(warmup: Int, iterations: Int) throws -> BenchmarkResult {
    let batch = 100
    var rng = RandomStream(seed: 0, name: "bench/mnist")
    var net = MNISTCNN(rng: &rng)
    let x = rng.uniformTensor([batch, 1, 28, 28])
    let labels = (0..<batch).map { _ in rng.int(below: 10) }
    var sgd = try SGD()
    let ms = try medianMilliseconds(warmup: warmup, iterations: iterations) {
        let vars = net.parameters.map { Variable($0, requiresGrad: true) }
        let loss = try mseLoss(net.forward(x, vars), labels: labels)
        try loss.backward()
        try sgd.step(parameters: &net.parameters, gradients: vars.map { $0.grad! }, learningRate: 5e-4)
    }
    return result("mnist_cnn_train", ms: ms, images: batch, flopsPerStep: 6 * Double(MNISTCNN.multiplyAdds * batch))
}

func vggBenchmark(training: Bool, warmup: Int, iterations: Int) throws -> BenchmarkResult {
    let batch = training ? 128 : 512
    var rng = RandomStream(seed: 0, name: "bench/vgg11q")
    var net = VGG11Quarter(rng: &rng)
    let x = rng.normalTensor([batch, 3, 32, 32])
    let labels = (0..<batch).map { _ in rng.int(below: 10) }
    var sgd = try SGD(momentum: 0.9)
    let ms = try medianMilliseconds(warmup: warmup, iterations: iterations) {
        if training {
            let vars = net.parameters.map { Variable($0, requiresGrad: true) }
            let loss = try crossEntropy(net.forward(x, vars, training: true), labels: labels)
            try loss.backward()
            try sgd.step(parameters: &net.parameters, gradients: vars.map { $0.grad! }, learningRate: 0.01)
        } else {
            let vars = net.parameters.map { Variable($0) }
            _ = try Gradients.disabled { try net.forward(x, vars, training: false) }
        }
    }
    let flops = Double(VGG11Quarter.multiplyAdds * batch) * (training ? 6 : 2)
    return result(training ? "vgg11q_train" : "vgg11q_infer", ms: ms, images: batch, flopsPerStep: flops)
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
