import EqxTestSupport
import XCTest
@testable import EqxData

final class StochasticBlockModelTests: XCTestCase {
    func testShapeSymmetryAndExactLabels() throws {
        var rng = SplitMix64(seed: 42)
        let data = try StochasticBlockModel(count: 1000).generate(using: &rng)
        XCTAssertEqual(data.sampleShape, [1, 10, 10])
        XCTAssertEqual(data.count, 1000)
        XCTAssertEqual(data.classes, 2)
        var edges = 0
        for i in 0..<data.count {
            let a = Array(data.sample(i))
            for r in 0..<10 {
                XCTAssertEqual(a[r * 10 + r], 0)
                for c in 0..<10 {
                    XCTAssertEqual(a[r * 10 + c], a[c * 10 + r])
                    XCTAssertTrue(a[r * 10 + c] == 0 || a[r * 10 + c] == 1)
                }
            }
            edges += Int(a.reduce(0, +)) / 2
            XCTAssertEqual(data.labels[i], connectedByUnionFind(a, 10) ? 1 : 0)
        }
        // Expected edges: 2·C(5,2)·0.5 + 25·0.05 = 11.25; 1000 graphs give a standard error ≈ 0.08.
        XCTAssertEqual(Double(edges) / 1000, 11.25, accuracy: 0.4)
        // Nordenfors et al. found 432/1000 connected with the same parameters.
        XCTAssertEqual(Double(data.classCounts[1]) / 1000, 0.43, accuracy: 0.06)
    }

    func testSeedDeterminesTheData() throws {
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1), c = SplitMix64(seed: 2)
        let model = StochasticBlockModel(count: 50, blockSizes: [3, 4], p: 0.6, q: 0.1)
        let first = try model.generate(using: &a)
        XCTAssertEqual(first.sampleShape, [1, 7, 7])
        XCTAssertEqual(first.fingerprint, try model.generate(using: &b).fingerprint)
        XCTAssertNotEqual(first.fingerprint, try model.generate(using: &c).fingerprint)
    }

    /// Nodes are permuted: block membership is not visible from node order. With q = 0 and p = 1
    /// every graph is two disjoint cliques whose node sets vary from graph to graph.
    func testNodesArePermuted() throws {
        var rng = SplitMix64(seed: 9)
        let data = try StochasticBlockModel(count: 30, p: 1, q: 0).generate(using: &rng)
        var patterns = Set<[Float]>()
        for i in 0..<data.count {
            let a = Array(data.sample(i))
            patterns.insert(Array(a.prefix(10)))
            XCTAssertEqual(a.reduce(0, +), 40)   // two K5: 2 · 10 edges, counted twice
            XCTAssertEqual(data.labels[i], 0)
        }
        XCTAssertGreaterThan(patterns.count, 5)
    }

    func testConnectivityByBFS() {
        // Path 0-1-2 plus isolated 3.
        var a = [Float](repeating: 0, count: 16)
        for (r, c) in [(0, 1), (1, 2)] { a[r * 4 + c] = 1; a[c * 4 + r] = 1 }
        XCTAssertFalse(StochasticBlockModel.isConnected(adjacency: a, nodes: 4))
        a[2 * 4 + 3] = 1; a[3 * 4 + 2] = 1
        XCTAssertTrue(StochasticBlockModel.isConnected(adjacency: a, nodes: 4))
    }

    func testInvalidParameters() {
        var rng = SplitMix64(seed: 0)
        assertDataError(try StochasticBlockModel(p: 1.5).generate(using: &rng), contains: ["p = 1.5"])
        assertDataError(try StochasticBlockModel(blockSizes: [5, 0]).generate(using: &rng), contains: ["[5, 0]"])
    }

    /// Independent reference: union–find over all edges.
    func connectedByUnionFind(_ a: [Float], _ n: Int) -> Bool {
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
        for r in 0..<n { for c in 0..<n where a[r * n + c] != 0 { parent[find(r)] = find(c) } }
        return Set((0..<n).map(find)).count == 1
    }
}
