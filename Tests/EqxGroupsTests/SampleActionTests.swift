import EqxGroups
import EqxTestSupport
import XCTest

/// `SampleAction` against pixel loops written from the geometry (where each pixel goes), not from the
/// gather convention, and its refusals of buffers that do not fit.
final class SampleActionTests: XCTestCase {
    /// Where (t, k) of translations ⋊ C4 on an N×N grid sends pixel (h, w): first r^k about the centre
    /// (r(h, w) = (N−1−w, h), as numpy.rot90), then a shift down a, right b, with t = a·N + b.
    private func destination(_ element: Int, h: Int, w: Int, n: Int) -> (Int, Int) {
        let t = element / 4, k = element % 4
        var (y, x) = (h, w)
        for _ in 0..<k { (y, x) = (n - 1 - x, y) }
        return ((y + t / n) % n, (x + t % n) % n)
    }

    func testSemidirectActionMatchesPixelLoops() throws {
        let n = 5, channels = 2
        let action = try SymbolicGroup.semidirect(.translations(.both), .rotations(4)).sampleAction(forInput: [channels, n, n])
        XCTAssertEqual(action.group.order, n * n * 4)
        var rng = SplitMix64(seed: 11)
        let samples = 3
        let x = randomValues(samples * channels * n * n, &rng)
        for g in action.group.elements {
            var expected = [Double](repeating: .nan, count: x.count)
            for s in 0..<samples {
                for c in 0..<channels {
                    for h in 0..<n {
                        for w in 0..<n {
                            let (y, v) = destination(g, h: h, w: w, n: n)
                            let base = (s * channels + c) * n * n
                            expected[base + y * n + v] = x[base + h * n + w]
                        }
                    }
                }
            }
            XCTAssertEqual(try action.moving(x, by: g), expected, "element \(action.group.name(of: g))")
        }
    }

    /// Orbit closure: every sample under every element, grouped by element; per-sample elements gather
    /// each sample from its own block.
    func testOrbitsAndPerSampleElements() throws {
        let action = try SymbolicGroup.mirror(.horizontal).sampleAction(forInput: [1, 2, 3])
        let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        XCTAssertEqual(try action.orbits(of: x), x + [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
        XCTAssertEqual(try action.moving(x, by: [1, 0]), [3, 2, 1, 6, 5, 4, 7, 8, 9, 10, 11, 12])
        XCTAssertEqual(try action.batchIndices(elements: [0, 1]), [0, 1, 2, 3, 4, 5, 8, 7, 6, 11, 10, 9])
    }

    /// A buffer that is not whole samples, an element outside the group, or samples the group cannot
    /// move are errors, never a read outside the buffer.
    func testBadBuffersAndElementsAreErrors() throws {
        let action = try SymbolicGroup.rotations(4).sampleAction(forInput: [1, 3, 3])
        XCTAssertThrowsError(try action.moving([Double](repeating: 0, count: 10), by: 1))
        XCTAssertThrowsError(try action.moving([Double](repeating: 0, count: 9), by: [1, 2]))
        XCTAssertThrowsError(try action.moving([Double](repeating: 0, count: 9), by: 4))
        XCTAssertThrowsError(try action.moving([Double](repeating: 0, count: 9), by: -1))
        XCTAssertThrowsError(try SymbolicGroup.rotations(4).sampleAction(forInput: [1, 3, 4]))
        XCTAssertThrowsError(try SymbolicGroup.mirror(.vertical).sampleAction(forInput: [3, 4]))
        XCTAssertThrowsError(try SymbolicGroup.symmetric(4).sampleAction(forInput: [5]))
        XCTAssertThrowsError(try SampleAction(group: .horizontalMirror, space: FeatureSpace(channels: 0, spatial: .grid(height: 2, width: 2))))
    }

    /// One cached action per group and shape: the same permutations whoever asks.
    func testSharedActionIsTheSameForEveryCaller() throws {
        let a = try SymbolicGroup.dihedral4.sampleAction(forInput: [1, 4, 4])
        let b = try SampleAction.shared(group: .dihedral, sampleShape: [1, 4, 4])
        for g in a.group.elements { XCTAssertEqual(try a.permutation(g), try b.permutation(g)) }
        XCTAssertEqual(try a.permutation(5), try FiniteGroup.dihedral.featurePermutation(
            element: 5, on: FeatureSpace(channels: 1, spatial: .grid(height: 4, width: 4))))
    }
}
