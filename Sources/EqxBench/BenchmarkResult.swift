import Foundation

/// One benchmark's measurements; `jsonLine` is the machine-readable form printed by `eqx bench --json`.
public struct BenchmarkResult: Equatable, Sendable {
    public var bench: String
    /// Median wall time of one step (one GEMM, one training step, or one inference batch).
    public var msPerStep: Double
    /// Images processed per second at the median (0 for `sgemm`).
    public var imagesPerSecond: Double
    /// Useful floating-point work per second: conv/linear multiply-adds × 2 (× 3 for training).
    public var gflops: Double
    /// `gflops` as a percentage of the measured `sgemm` rate (100 for `sgemm` itself).
    public var pctSgemmPeak: Double
    /// Peak resident set size of the process so far (VmHWM), MiB.
    public var peakRSSMegabytes: Double

    public init(bench: String, msPerStep: Double, imagesPerSecond: Double, gflops: Double,
                pctSgemmPeak: Double, peakRSSMegabytes: Double) {
        self.bench = bench
        self.msPerStep = msPerStep
        self.imagesPerSecond = imagesPerSecond
        self.gflops = gflops
        self.pctSgemmPeak = pctSgemmPeak
        self.peakRSSMegabytes = peakRSSMegabytes
    }

    /// One JSON object with exactly the keys bench, ms_per_step, images_per_s, gflops, pct_sgemm_peak, peak_rss_mb.
    public var jsonLine: String {
        func num(_ v: Double) -> String { v.isFinite ? String(format: "%.3f", v) : "null" }
        let name = bench.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "{\"bench\": \"\(name)\", \"ms_per_step\": \(num(msPerStep)), \"images_per_s\": \(num(imagesPerSecond)), "
            + "\"gflops\": \(num(gflops)), \"pct_sgemm_peak\": \(num(pctSgemmPeak)), \"peak_rss_mb\": \(num(peakRSSMegabytes))}"
    }
}
