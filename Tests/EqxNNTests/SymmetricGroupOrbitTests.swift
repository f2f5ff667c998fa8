import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// S_10 acting on 10×10 adjacency matrices (X ↦ P X Pᵀ), too large to enumerate (3 628 800 elements):
/// Π_E comes from orbits of the generators. For a dense layer [c_out·100, c_in·100] the orbits of the
/// index tuples (i, j, k, l) are their equality patterns — Bell(4) = 15 per channel pair (Nordenfors et
/// al.'s graph experiments) — and for an invariant head after flatten the 2 patterns of (i, j).
final class SymmetricGroupOrbitTests: XCTestCase {
    let n = 10
    lazy var spec = makeSpec("graph10", input: [1, n, n], [
        dense("dense1", 2), op("relu1", .relu), dense("dense2", 3), op("relu2", .relu),
        op("flat", .flatten), linear("fc", 4),
    ])

    /// The equality pattern of a tuple as a canonical labelling: (3, 7, 3, 1) → [0, 1, 0, 2].
    func pattern(_ t: [Int]) -> [Int] {
        var labels: [Int: Int] = [:]
        return t.map { v in
            if let l = labels[v] { return l }
            labels[v] = labels.count
            return labels.count - 1
        }
    }

    /// Asserts that two indices share an orbit exactly when they share `key`.
    func assertOrbitsAre(_ partition: OrbitPartition, keyedBy key: (Int) -> [Int], _ what: String) {
        var orbitOfKey: [[Int]: Int] = [:], keyOfOrbit: [Int: [Int]] = [:]
        for index in 0..<partition.count {
            let k = key(index), o = partition.orbit(of: index)
            if let known = orbitOfKey[k], known != o { return XCTFail("\(what): pattern \(k) splits into orbits \(known) and \(o)") }
            if let known = keyOfOrbit[o], known != k { return XCTFail("\(what): orbit \(o) mixes patterns \(known) and \(k)") }
            orbitOfKey[k] = o; keyOfOrbit[o] = k
        }
    }

    func testDenseLayersHaveFifteenOrbitsPerChannelPair() throws {
        let g = try group(.symmetric(n), spec)
        XCTAssertEqual(g.order, 3_628_800)
        let projector = try ReynoldsProjector(group: g, spec: spec, hidden: .trivial)
        let dims = Dictionary(uniqueKeysWithValues: projector.dimensions().map { ($0.layer, ($0.equivariant, $0.total)) })
        let n2 = n * n
        // weight orbits + bias orbits (diagonal / off-diagonal per output channel).
        XCTAssertEqual(dims["dense1"]!.0, 2 * 1 * 15 + 2 * 2)
        XCTAssertEqual(dims["dense1"]!.1, 2 * n2 * n2 + 2 * n2)
        XCTAssertEqual(dims["dense2"]!.0, 3 * 2 * 15 + 3 * 2)
        XCTAssertEqual(dims["fc"]!.0, 4 * 3 * 2 + 4)
        XCTAssertEqual(projector.partitions["dense2.weight"]!.orbitCount, 90)
        XCTAssertEqual(projector.partitions["fc.weight"]!.orbitCount, 24)

        // The orbits are exactly the (output channel, input channel, equality pattern) classes.
        assertOrbitsAre(projector.partitions["dense2.weight"]!, keyedBy: { index in
            let (row, col) = (index / (2 * n2), index % (2 * n2))
            let (o, i, j) = (row / n2, (row % n2) / self.n, row % self.n)
            let (c, k, l) = (col / n2, (col % n2) / self.n, col % self.n)
            return [o, c] + self.pattern([i, j, k, l])
        }, "dense2.weight")
        assertOrbitsAre(projector.partitions["fc.weight"]!, keyedBy: { index in
            let (o, col) = (index / (3 * n2), index % (3 * n2))
            let (c, i, j) = (col / n2, (col % n2) / self.n, col % self.n)
            return [o, c, i == j ? 0 : 1]
        }, "fc.weight")
        assertOrbitsAre(projector.partitions["dense1.bias"]!, keyedBy: { index in
            let (c, i, j) = (index / n2, (index % n2) / self.n, index % self.n)
            return [c, i == j ? 0 : 1]
        }, "dense1.bias")
    }

    func testProjectedGraphNetworkIsInvariantUnderRandomPermutations() throws {
        let g = try group(.symmetric(n), spec)
        let rep = try NetworkRepresentation(group: g, spec: spec, hidden: .trivial)
        let projector = try ReynoldsProjector(representation: rep)
        let theta = randomState(spec, "s10")
        let p = projector.project(theta)
        let network = try Network(spec: spec, state: p)
        let random = try Network(spec: spec, state: theta)
        let x = randomInput(spec, batch: 3, "s10")
        let fx = try network.forward(x, options: .evaluation).output.value
        let rx = try random.forward(x, options: .evaluation).output.value
        var randomMoved = 0.0
        for e in testElements(g, samples: 6) {
            XCTAssertEqual(try rep.transform(p, element: e), p, "\(g.name(of: e))·Π_E θ ≠ Π_E θ")
            let gx = try x.acted(by: rep.inputAction, element: e)
            XCTAssertLessThan(relativeError(try network.forward(gx, options: .evaluation).output.value, fx), 1e-5)
            randomMoved = max(randomMoved, relativeError(try random.forward(gx, options: .evaluation).output.value, rx))
        }
        XCTAssertGreaterThan(randomMoved, 1e-3, "a random θ should not be S10-invariant")
    }
}
