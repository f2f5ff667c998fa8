import ArgumentParser
import EqxBench
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the runtime: sgemm peak and training/inference steps of reference networks.",
        discussion: "Compare with `python3 bench/pytorch_reference.py --json` (PyTorch CPU) on the same machine.")

    @ArgumentParser.Argument(help: "Benchmarks to run (default: all): \(benchmarkNames.joined(separator: ", ")).")
    var names: [String] = []

    @Flag(help: "One JSON object per line (keys bench, ms_per_step, images_per_s, gflops, pct_sgemm_peak, peak_rss_mb).")
    var json = false

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Untimed warm-up steps.")
    var warmup = 3

    @Option(help: "Timed steps (the median is reported).")
    var iterations = 10

    func validate() throws {
        if let bad = names.first(where: { !benchmarkNames.contains($0) }) {
            throw ValidationError("unknown benchmark '\(bad)'; choose from \(benchmarkNames.joined(separator: ", "))")
        }
        if threads < 1 || warmup < 0 || iterations < 1 { throw ValidationError("threads and iterations must be positive") }
    }

    func run() throws {
        let results = try runBenchmarks(names: names.isEmpty ? nil : names, threads: threads, warmup: warmup, iterations: iterations)
        for r in results {
            if json {
                print(r.jsonLine)
            } else {
                print(String(format: "%-16@ %9.2f ms/step %10.0f images/s %8.1f GFLOP/s %5.1f%% of sgemm peak %7.0f MB",
                             r.bench as NSString, r.msPerStep, r.imagesPerSecond, r.gflops, r.pctSgemmPeak, r.peakRSSMegabytes))
            }
        }
    }
}
