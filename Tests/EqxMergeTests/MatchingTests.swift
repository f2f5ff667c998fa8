import XCTest
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor

/// Activation statistics and matching: the correlation against a naive Float64 reference, and degenerate
/// channels (dead or constant: zero variance) that must give correlation 0, never NaN.
final class MatchingTests: XCTestCase {
    /// Naive Float64 corr[i, j] = cov(a_i, b_j) / (σ_a,i σ_b,j + ε) over every (sample, position) of all batches.
    private func referenceCorrelation(_ a: [Tensor], _ b: [Tensor], channels c: Int, epsilon: Double = 1e-4) -> [Double] {
        var xs = [[Double]](repeating: [], count: c), ys = [[Double]](repeating: [], count: c)
        for (ta, tb) in zip(a, b) {
            let n = ta.shape[0], rest = ta.count / (n * c)
            for s in 0..<n {
                for ch in 0..<c {
                    for r in 0..<rest {
                        xs[ch].append(Double(ta.scalars[(s * c + ch) * rest + r]))
                        ys[ch].append(Double(tb.scalars[(s * c + ch) * rest + r]))
                    }
                }
            }
        }
        let m = Double(xs[0].count)
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / m }
        func std(_ v: [Double]) -> Double { let mu = mean(v); return (v.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / m).squareRoot() }
        var out = [Double](repeating: 0, count: c * c)
        for i in 0..<c {
            for j in 0..<c {
                let mi = mean(xs[i]), mj = mean(ys[j])
                let cov = zip(xs[i], ys[j]).reduce(0) { $0 + ($1.0 - mi) * ($1.1 - mj) } / m
                out[i * c + j] = cov / (std(xs[i]) * std(ys[j]) + epsilon)
            }
        }
        return out
    }

    func testCorrelationMatchesNaiveReference() throws {
        var rng = RandomStream(seed: 1, name: "test/correlation")
        let c = 5
        // Two batches of different sizes, [N, C, H, W] and [N, C] (after global pooling).
        for shape in [[[3, c, 2, 3], [4, c, 2, 3]], [[7, c], [2, c]]] {
            let a = shape.map { rng.normalTensor($0, mean: 0.5, standardDeviation: 1) }
            // b correlated with a: b_j = a_{(j+1) mod c} + noise.
            let b = try a.map { t -> Tensor in
                let perm = try channelShift(t, channels: c)
                var noisy = rng.normalTensor(t.shape, mean: 0, standardDeviation: 0.3)
                try noisy.add(perm)
                return noisy
            }
            var acc = CorrelationAccumulator(channels: c)
            for (x, y) in zip(a, b) { try acc.add(x, y) }
            let got = acc.correlation(), want = referenceCorrelation(a, b, channels: c)
            for k in 0..<(c * c) { XCTAssertEqual(got[k], want[k], accuracy: 1e-5, "entry \(k) for \(shape)") }
            // The matching is the planted shift: B's channel (i − 1) mod c carries A's channel i.
            let assignment = try LinearAssignment.solve(cost: got, rows: c, columns: c, maximize: true)
            XCTAssertEqual(assignment, (0..<c).map { ($0 + c - 1) % c })
        }
    }

    /// out[:, j] = t[:, (j + 1) mod c].
    private func channelShift(_ t: Tensor, channels c: Int) throws -> Tensor {
        let n = t.shape[0], rest = t.count / (n * c)
        var idx = [Int](repeating: 0, count: t.count)
        for s in 0..<n { for j in 0..<c { for r in 0..<rest { idx[(s * c + j) * rest + r] = (s * c + (j + 1) % c) * rest + r } } }
        return try t.gathered(indices: idx, shape: t.shape)
    }

    func testDeadAndConstantChannelsHaveZeroCorrelation() throws {
        var rng = RandomStream(seed: 2, name: "test/dead")
        let c = 4
        var a = rng.normalTensor([20, c, 3, 3], mean: 2, standardDeviation: 1)
        var b = rng.normalTensor([20, c, 3, 3], mean: 1, standardDeviation: 1)
        // a's channel 1 is dead (all zero), b's channel 2 is constant 3.5; both have zero variance.
        a.withUnsafeMutableBufferPointer { p in for s in 0..<20 { for r in 0..<9 { p[(s * c + 1) * 9 + r] = 0 } } }
        b.withUnsafeMutableBufferPointer { p in for s in 0..<20 { for r in 0..<9 { p[(s * c + 2) * 9 + r] = 3.5 } } }
        var acc = CorrelationAccumulator(channels: c)
        try acc.add(a, b)
        try acc.add(a, b)
        let corr = acc.correlation()
        XCTAssertTrue(corr.allSatisfy(\.isFinite))
        for j in 0..<c { XCTAssertEqual(corr[1 * c + j], 0, "dead row, column \(j)") }
        for i in 0..<c { XCTAssertEqual(corr[i * c + 2], 0, "constant column, row \(i)") }
        // A channel with a small but resolvable spread still correlates: b_3 = 5 + 10⁻³·a_0 (σ/μ = 2·10⁻⁴).
        var c3 = b
        a.withUnsafeBufferPointer { pa in
            c3.withUnsafeMutableBufferPointer { p in
                for s in 0..<20 { for r in 0..<9 { p[(s * c + 3) * 9 + r] = 5 + 1e-3 * pa[(s * c + 0) * 9 + r] } }
            }
        }
        var small = CorrelationAccumulator(channels: c)
        try small.add(a, c3)
        // cov / (σ_a σ_b + ε) = 10⁻³σ² / (10⁻³σ² + 10⁻⁴) ≈ 0.9 for σ ≈ 1.
        XCTAssertGreaterThan(small.correlation()[0 * c + 3], 0.8)
        // An accumulator that saw nothing is all zeros, not NaN.
        XCTAssertEqual(CorrelationAccumulator(channels: 3).correlation(), [Double](repeating: 0, count: 9))
    }

    /// Matching a network with itself gives the identity however many hidden units are dead: ties among
    /// channels that correlate with nothing go to the identity.
    func testSelfMatchingIsTheIdentityWhateverUnitsAreDead() throws {
        let spec = try networkSpec("""
            flatten
            linear -> 12
            relu
            linear -> 10
            """)
        let symbols = PermutationSymbols(spec)
        let batches = try digitBatches(.train, count: 200, batch: 100)
        var rng = RandomStream(seed: 8, name: "test/dead-units")
        for trial in 0..<20 {
            let net = try Network(spec: spec, state: randomState(spec, seed: UInt64(trial)))
            // A random third to two thirds of the units never fire.
            let dead = rng.permutation(12).prefix(4 + trial % 5)
            var bias = net.state["linear1.bias"]!
            bias.withUnsafeMutableBufferPointer { p in for u in dead { p[u] = -100 } }
            net.state["linear1.bias"] = bias
            let found = try Matching.activations(a: net, b: net.copy(), symbols: symbols, batches: batches)
            XCTAssertEqual(found.perms, [Array(0..<12)], "trial \(trial), dead units \(dead.sorted())")
        }
    }

    /// A trained network with one dead and one constant hidden channel, permuted at random: matching still
    /// returns permutations and recovers every live channel exactly.
    func testMatchingWithDeadChannelsStillReturnsAPermutation() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        // relu1 channel 0 is always 0 (γ = 0, β = −1), channel 3 always 0.5 (γ = 0, β = 0.5).
        var gamma = a.state["bn1.weight"]!, beta = a.state["bn1.bias"]!
        gamma.withUnsafeMutableBufferPointer { $0[0] = 0; $0[3] = 0 }
        beta.withUnsafeMutableBufferPointer { $0[0] = -1; $0[3] = 0.5 }
        a.state["bn1.weight"] = gamma
        a.state["bn1.bias"] = beta
        let symbols = PermutationSymbols(a.spec)
        let p = randomPermutation(symbols, seed: 5, name: "test/dead-planted")
        let b = try Network(spec: a.spec, state: p.apply(to: a.state, spec: a.spec, symbols: symbols))
        let batches = try digitBatches(.train, count: 300, batch: 150)
        let found = try Matching.activations(a: a, b: b, symbols: symbols, batches: batches)
        for (s, perm) in found.perms.enumerated() {
            XCTAssertNoThrow(try PermutationStatistics(perm))
            let expected = inversePermutation(p.perms[s])
            for i in 0..<perm.count where !(s == 0 && (i == 0 || i == 3)) {
                XCTAssertEqual(perm[i], expected[i], "symbol \(s), channel \(i)")
            }
        }
    }
}
