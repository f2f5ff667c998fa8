import XCTest
@testable import EqxIR
import EqxMerge
import EqxNN
import EqxTensor

/// `Network.resetBatchNormStatistics(on:)` against statistics computed directly in Float64: after the reset
/// every batch norm's running mean is the equal-weight average of the per-batch channel means and its
/// running variance the average of the per-batch unbiased variances, where each batch runs in train mode
/// (earlier batch norms normalise with that batch's own biased statistics). Tolerance 1e-5 · max(1, |value|).
final class BatchNormResetTests: XCTestCase {
    static let body = """
        conv 3x3 -> 3 pad 1
        batchnorm
        relu
        conv 3x3 -> 4 pad 1
        batchnorm
        relu
        global avgpool
        linear -> 10
        """

    /// A C×H×W image batch in Float64, NCHW.
    struct Maps {
        var n: Int, c: Int, h: Int, w: Int
        var v: [Double]
        subscript(s: Int, ch: Int, y: Int, x: Int) -> Double { v[((s * c + ch) * h + y) * w + x] }
    }

    /// Cross-correlation with zero padding 1, stride 1 (PyTorch's conv2d) for 3×3 kernels.
    private func conv(_ x: Maps, weight: [Float], bias: [Float], out: Int) -> Maps {
        var y = Maps(n: x.n, c: out, h: x.h, w: x.w, v: .init(repeating: 0, count: x.n * out * x.h * x.w))
        for s in 0..<x.n {
            for o in 0..<out {
                for r in 0..<x.h {
                    for col in 0..<x.w {
                        var acc = Double(bias[o])
                        for i in 0..<x.c {
                            for kr in 0..<3 {
                                for kc in 0..<3 {
                                    let yy = r + kr - 1, xx = col + kc - 1
                                    guard yy >= 0, yy < x.h, xx >= 0, xx < x.w else { continue }
                                    acc += Double(weight[((o * x.c + i) * 3 + kr) * 3 + kc]) * x[s, i, yy, xx]
                                }
                            }
                        }
                        y.v[((s * out + o) * x.h + r) * x.w + col] = acc
                    }
                }
            }
        }
        return y
    }

    /// Per-channel mean and biased variance over samples and positions.
    private func moments(_ x: Maps) -> (mean: [Double], variance: [Double], count: Int) {
        let m = x.n * x.h * x.w
        var mean = [Double](repeating: 0, count: x.c), variance = mean
        for ch in 0..<x.c {
            var sum = 0.0
            for s in 0..<x.n { for r in 0..<x.h { for col in 0..<x.w { sum += x[s, ch, r, col] } } }
            mean[ch] = sum / Double(m)
            var sq = 0.0
            for s in 0..<x.n { for r in 0..<x.h { for col in 0..<x.w { let d = x[s, ch, r, col] - mean[ch]; sq += d * d } } }
            variance[ch] = sq / Double(m)
        }
        return (mean, variance, m)
    }

    /// Train-mode batch norm (biased batch statistics, ε = 1e-5) followed by ReLU.
    private func normaliseAndRectify(_ x: Maps, gamma: [Float], beta: [Float]) -> Maps {
        let (mean, variance, _) = moments(x)
        var y = x
        for s in 0..<x.n {
            for ch in 0..<x.c {
                for r in 0..<x.h {
                    for col in 0..<x.w {
                        let i = ((s * x.c + ch) * x.h + r) * x.w + col
                        let z = Double(gamma[ch]) * (x.v[i] - mean[ch]) / (variance[ch] + 1e-5).squareRoot() + Double(beta[ch])
                        y.v[i] = max(0, z)
                    }
                }
            }
        }
        return y
    }

    /// Expected running (mean, unbiased variance) of bn1 and bn2 after a reset on `batches`.
    private func expectedStatistics(_ state: StateDict, batches: [Tensor]) -> [String: ([Double], [Double])] {
        var sums: [String: ([Double], [Double])] = ["bn1": ([0, 0, 0], [0, 0, 0]), "bn2": ([0, 0, 0, 0], [0, 0, 0, 0])]
        for b in batches {
            let x = Maps(n: b.shape[0], c: 1, h: 8, w: 8, v: b.scalars.map(Double.init))
            let z1 = conv(x, weight: state["conv1.weight"]!.scalars, bias: state["conv1.bias"]!.scalars, out: 3)
            let a1 = normaliseAndRectify(z1, gamma: state["bn1.weight"]!.scalars, beta: state["bn1.bias"]!.scalars)
            let z2 = conv(a1, weight: state["conv2.weight"]!.scalars, bias: state["conv2.bias"]!.scalars, out: 4)
            for (name, z) in [("bn1", z1), ("bn2", z2)] {
                let (mean, variance, m) = moments(z)
                for ch in 0..<z.c {
                    sums[name]!.0[ch] += mean[ch] / Double(batches.count)
                    sums[name]!.1[ch] += variance[ch] * Double(m) / Double(m - 1) / Double(batches.count)
                }
            }
        }
        return sums
    }

    func testResetEqualsDirectStatistics() throws {
        let spec = try networkSpec(Self.body)
        let net = try Network(spec: spec, state: randomState(spec, seed: 21))
        // Stale statistics that the reset must discard.
        net.state["bn1.running_mean"] = .filled([3], with: 5)
        net.state["bn2.running_var"] = .filled([4], with: 9)
        net.batchNormBatches = ["bn1": 100, "bn2": 100]
        let parameters = net.state.parameterKeys.map { net.state[$0]! }

        // Batches of unequal sizes: each counts equally, whatever its size.
        let data = try digitBatches(.train, count: 121, batch: 121)[0]
        let batches = [try data.slicedBatch(0..<40), try data.slicedBatch(40..<57), try data.slicedBatch(57..<121)]
        try net.resetBatchNormStatistics(on: batches)
        let expected = expectedStatistics(net.state, batches: batches)
        for name in ["bn1", "bn2"] {
            let mean = net.state["\(name).running_mean"]!.scalars, variance = net.state["\(name).running_var"]!.scalars
            let (wantMean, wantVariance) = expected[name]!
            for ch in 0..<mean.count {
                XCTAssertEqual(Double(mean[ch]), wantMean[ch], accuracy: 1e-5 * max(1, abs(wantMean[ch])), "\(name) mean \(ch)")
                XCTAssertEqual(Double(variance[ch]), wantVariance[ch], accuracy: 1e-5 * max(1, wantVariance[ch]), "\(name) var \(ch)")
            }
            XCTAssertEqual(net.batchNormBatches[name], 3)
        }
        // Only statistics change.
        XCTAssertEqual(net.state.parameterKeys.map { net.state[$0]! }, parameters)

        // Sample-weighted averaging would differ: the check above can tell the two apart.
        let pooled = expectedStatistics(net.state, batches: [data])
        let gap = zip(pooled["bn1"]!.0, expected["bn1"]!.0).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(gap, 1e-4)

        // A second reset forgets the first batches.
        try net.resetBatchNormStatistics(on: [batches[2]])
        let second = expectedStatistics(net.state, batches: [batches[2]])
        for ch in 0..<4 {
            XCTAssertEqual(Double(net.state["bn2.running_mean"]!.scalars[ch]), second["bn2"]!.0[ch],
                           accuracy: 1e-5 * max(1, abs(second["bn2"]!.0[ch])))
            XCTAssertEqual(Double(net.state["bn2.running_var"]!.scalars[ch]), second["bn2"]!.1[ch],
                           accuracy: 1e-5 * max(1, second["bn2"]!.1[ch]))
        }
    }
}
