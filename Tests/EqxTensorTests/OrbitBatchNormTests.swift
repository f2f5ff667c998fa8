import XCTest
@testable import EqxTensor

/// Batch norm with statistics shared over orbits of channels, against a naive Double reference and
/// finite differences, and the equivariance it exists for.
final class OrbitBatchNormTests: XCTestCase {
    /// Orbits {0, 2}, {1}, {3, 4, 5}: unequal sizes, not contiguous.
    let orbitOf = [0, 1, 0, 2, 2, 2]

    /// Naive reference: every value of an orbit's channels pooled (biased variance), affine per channel.
    func reference(_ x: [Double], n: Int, s: Int, gamma: [Double]?, beta: [Double]?, relu: Bool) -> [Double] {
        let c = orbitOf.count
        var y = x
        for o in Set(orbitOf) {
            let channels = (0..<c).filter { orbitOf[$0] == o }
            var values: [Double] = []
            for i in 0..<n { for ch in channels { for k in 0..<s { values.append(x[(i * c + ch) * s + k]) } } }
            let mu = values.reduce(0, +) / Double(values.count)
            let v = values.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(values.count)
            for i in 0..<n { for ch in channels { for k in 0..<s {
                let idx = (i * c + ch) * s + k
                let out = (x[idx] - mu) / (v + 1e-5).squareRoot() * (gamma?[ch] ?? 1) + (beta?[ch] ?? 0)
                y[idx] = relu ? max(0, out) : out
            } } }
        }
        return y
    }

    func testTrainingForwardAndGradientsAgainstReference() throws {
        let orbits = try ChannelOrbits(orbitOfChannel: orbitOf)
        for relu in [false, true] {
            let x = randomTensor([3, 6, 2, 3], "obn/x", scale: 2), g = randomTensor([6], "obn/g"), b = randomTensor([6], "obn/b")
            try checkOp("orbitBatchNorm relu \(relu)", inputs: [x, g, b], op: { v in
                var stats = BatchNormStatistics(channels: 6)
                return try orbitBatchNorm(v[0], orbits: orbits, weight: v[1], bias: v[2], statistics: &stats, training: true, thenReLU: relu)
            }, reference: { d in self.reference(d[0], n: 3, s: 6, gamma: d[1], beta: d[2], relu: relu) },
               forwardTolerance: 1e-5, gradientTolerance: 2e-4)
        }
    }

    func testEvaluationUsesTheOrbitMeanOfTheRunningStatistics() throws {
        let orbits = try ChannelOrbits(orbitOfChannel: orbitOf)
        var stats = BatchNormStatistics(channels: 6)
        stats.runningMean = Tensor([0.5, -1, 1.5, 0.1, 0.2, 0.3])
        stats.runningVariance = Tensor([2, 3, 4, 1, 1, 1])
        let x = randomTensor([2, 6, 3], "obn/eval", scale: 2), g = randomTensor([6], "obn/eg")
        try checkOp("orbitBatchNorm eval", inputs: [x, g], op: { v in
            var s = stats
            return try orbitBatchNorm(v[0], orbits: orbits, weight: v[1], statistics: &s, training: false)
        }, reference: { d in
            let mean = [1.0, -1, 1.0, 0.2, 0.2, 0.2], variance = [3.0, 3, 3, 1, 1, 1]
            return d[0].indices.map { i in
                let ch = (i / 3) % 6
                return (d[0][i] - mean[ch]) / (variance[ch] + 1e-5).squareRoot() * d[1][ch]
            }
        }, forwardTolerance: 1e-5, gradientTolerance: 2e-4)
    }

    /// With every channel its own orbit it is plain batch norm, running statistics included.
    func testSingletonOrbitsAreBatchNorm() throws {
        let orbits = try ChannelOrbits(orbitOfChannel: [0, 1, 2])
        let x = randomTensor([4, 3, 5, 5], "obn/single", scale: 3), g = randomTensor([3], "obn/sg"), b = randomTensor([3], "obn/sb")
        var s1 = BatchNormStatistics(channels: 3), s2 = BatchNormStatistics(channels: 3)
        let a = try orbitBatchNorm(Variable(x), orbits: orbits, weight: Variable(g), bias: Variable(b), statistics: &s1, training: true)
        let p = try batchNorm(Variable(x), weight: Variable(g), bias: Variable(b), statistics: &s2, training: true)
        assertClose(doubles(a.value), doubles(p.value), atol: 1e-5, rtol: 1e-5, "values")
        assertClose(doubles(s1.runningMean), doubles(s2.runningMean), atol: 1e-6, rtol: 1e-6, "running mean")
        assertClose(doubles(s1.runningVariance), doubles(s2.runningVariance), atol: 1e-5, rtol: 1e-5, "running variance")
    }

    /// Running statistics stay equal within each orbit, the unbiased pooled variance.
    func testRunningStatisticsAreSharedWithinAnOrbit() throws {
        let orbits = try ChannelOrbits(orbitOfChannel: orbitOf)
        var stats = BatchNormStatistics(channels: 6, momentum: nil)
        let x = randomTensor([5, 6, 4], "obn/run", scale: 2)
        _ = try orbitBatchNorm(Variable(x), orbits: orbits, statistics: &stats, training: true)
        let v = doubles(x)
        for o in 0..<3 {
            let channels = (0..<6).filter { orbitOf[$0] == o }
            var values: [Double] = []
            for i in 0..<5 { for ch in channels { for k in 0..<4 { values.append(v[(i * 6 + ch) * 4 + k]) } } }
            let mu = values.reduce(0, +) / Double(values.count)
            let unbiased = values.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(values.count - 1)
            for ch in channels {
                XCTAssertEqual(Double(stats.runningMean[flat: ch]), mu, accuracy: 1e-6)
                XCTAssertEqual(Double(stats.runningVariance[flat: ch]), unbiased, accuracy: 1e-5)
                XCTAssertEqual(stats.runningMean[flat: ch], stats.runningMean[flat: channels[0]], "bit-equal within the orbit")
            }
        }
    }

    /// A permutation of channels that maps orbits to themselves, with any permutation of positions, commutes
    /// with the op in training mode when γ and β are constant on orbits (the regular-field case).
    func testEquivariantUnderOrbitPreservingPermutations() throws {
        let orbits = try ChannelOrbits(orbitOfChannel: orbitOf)
        let channelPerm = [2, 1, 0, 4, 5, 3], positions = [3, 0, 1, 2]   // within orbits; a cyclic shift of positions
        let x = randomTensor([3, 6, 4], "obn/eq", scale: 2)
        let g = Tensor([0.5, 2, 0.5, -1, -1, -1]), b = Tensor([0.1, 0.2, 0.1, 0.3, 0.3, 0.3])
        func act(_ t: Tensor) throws -> Tensor {
            var idx: [Int] = []
            for i in 0..<3 { for ch in 0..<6 { for k in 0..<4 { idx.append((i * 6 + channelPerm[ch]) * 4 + positions[k]) } } }
            return try t.gathered(indices: idx, shape: t.shape)
        }
        var s1 = BatchNormStatistics(channels: 6), s2 = BatchNormStatistics(channels: 6)
        let y = try orbitBatchNorm(Variable(x), orbits: orbits, weight: Variable(g), bias: Variable(b), statistics: &s1, training: true, thenReLU: true)
        let gy = try orbitBatchNorm(Variable(try act(x)), orbits: orbits, weight: Variable(g), bias: Variable(b), statistics: &s2, training: true, thenReLU: true)
        assertClose(doubles(gy.value), doubles(try act(y.value)), atol: 1e-5, rtol: 1e-5, "f(g·x) = g·f(x)")
        assertClose(doubles(s1.runningMean), doubles(s2.runningMean), atol: 1e-6, rtol: 1e-6, "the same running mean")
        assertClose(doubles(s1.runningVariance), doubles(s2.runningVariance), atol: 1e-5, rtol: 1e-5, "the same running variance")
    }

    func testBadOrbitsAndShapesAreErrors() {
        XCTAssertThrowsError(try ChannelOrbits(orbitOfChannel: [0, 2]), "a gap in the orbit numbers")
        XCTAssertThrowsError(try ChannelOrbits(orbitOfChannel: [-1, 0]))
        var stats = BatchNormStatistics(channels: 2)
        let orbits = try! ChannelOrbits(orbitOfChannel: [0, 0, 1])
        XCTAssertThrowsError(try orbitBatchNorm(Variable(.zeros([2, 2, 3])), orbits: orbits, statistics: &stats, training: true))
        var one = BatchNormStatistics(channels: 1)
        XCTAssertThrowsError(try orbitBatchNorm(Variable(.zeros([1, 1])), orbits: try! ChannelOrbits(orbitOfChannel: [0]),
                                                statistics: &one, training: true), "one value per orbit")
    }
}
