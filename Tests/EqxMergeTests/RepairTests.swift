import XCTest
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor

/// REPAIR (Jordan et al.): after the correction every permuted producer's output channels of the merged network
/// have mean (1 − α)μ_A + αμ_B* and standard deviation (1 − α)σ_A + ασ_B* on the matching data (population
/// statistics over samples and positions, computed here in Float64 from captured activations). Tolerance
/// 1e-4 · max(1, |target|).
final class RepairTests: XCTestCase {
    /// Per-channel mean and standard deviation of `layer`'s output over all batches.
    private func statistics(_ net: Network, layer: String, batches: [Tensor]) throws -> (mean: [Double], std: [Double]) {
        var sum: [Double] = [], sumSquares: [Double] = [], count = 0.0
        for x in batches {
            let t = try net.forward(x, options: ForwardOptions(training: false, gradients: false, capture: [layer])).activations[layer]!
            let n = t.shape[0], c = t.shape[1], rest = t.count / (n * c)
            if sum.isEmpty { sum = .init(repeating: 0, count: c); sumSquares = sum }
            for s in 0..<n {
                for ch in 0..<c {
                    for r in 0..<rest { let v = Double(t.scalars[(s * c + ch) * rest + r]); sum[ch] += v; sumSquares[ch] += v * v }
                }
            }
            count += Double(n * rest)
        }
        let mean = sum.map { $0 / count }
        return (mean, zip(sumSquares, mean).map { ($0 / count - $1 * $1).squareRoot() })
    }

    func testRepairedChannelsHaveInterpolatedStatistics() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let b = try TrainedFixtures.cnn(mode: "nominal", epochs: 10, seed: 6)
        let batches = try digitBatches(.train, count: 300, batch: 150)
        let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b",
                                 clauses: "  match activations on digits.train[0..299]\n  repair")
        XCTAssertTrue(spec.repair)
        let merger = try Merger(spec: spec, inputs: mergeInputs(base: a, partner: b, group: nil, matching: batches))
        let aligned = try Network(spec: a.spec, state: merger.aligned)
        var plain = spec
        plain.repair = false
        let unrepaired = try Merger(spec: plain, inputs: mergeInputs(base: a, partner: b, group: nil, matching: batches))
        for alpha in [0, 0.3, 0.5, 1] {
            let merged = try merger.network(at: alpha)
            for layer in ["conv1", "conv2", "conv3"] {
                let sa = try statistics(a, layer: layer, batches: batches)
                let sb = try statistics(aligned, layer: layer, batches: batches)
                let sm = try statistics(merged, layer: layer, batches: batches)
                for ch in sa.mean.indices {
                    let mean = (1 - alpha) * sa.mean[ch] + alpha * sb.mean[ch]
                    let std = (1 - alpha) * sa.std[ch] + alpha * sb.std[ch]
                    XCTAssertEqual(sm.mean[ch], mean, accuracy: 1e-4 * max(1, abs(mean)), "α \(alpha) \(layer) mean \(ch)")
                    XCTAssertEqual(sm.std[ch], std, accuracy: 1e-4 * max(1, std), "α \(alpha) \(layer) std \(ch)")
                }
                if alpha == 0.5 {
                    // Plain interpolation shrinks the spread (the variance collapse REPAIR corrects).
                    let su = try statistics(unrepaired.network(at: alpha), layer: layer, batches: batches)
                    let gap = su.std.indices.map { abs(su.std[$0] - ((sa.std[$0] + sb.std[$0]) / 2)) }.max()!
                    XCTAssertGreaterThan(gap, 1e-2, layer)
                }
            }
            if alpha == 0 {
                XCTAssertLessThanOrEqual(maxStateDifference(merged.state, a.state).difference, 1e-5)
            }
        }
    }
}
