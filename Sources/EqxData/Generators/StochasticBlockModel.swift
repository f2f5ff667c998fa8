/// Random graphs from a stochastic block model, labelled by connectivity (Nordenfors et al.'s
/// graph task, regenerated rather than copied; their labels came from a Fiedler-eigenvalue
/// threshold and 42 of 1000 were wrong, ours are exact by breadth-first search).
///
/// Each sample is an undirected adjacency matrix with zero diagonal, shape `[1, n, n]`, values
/// 0/1. Label 1 = connected, 0 = not connected.
///
/// Draw order per graph (fixed, so a seed gives the same set everywhere): for every node pair
/// i < j in block order, row by row, one uniform u; the edge exists when u < p (same block) or
/// u < q (different blocks). Then one Fisher–Yates permutation π of the nodes, and the sample is
/// `A'[a][b] = A[π[a]][π[b]]`.
public struct StochasticBlockModel: Equatable, Sendable {
    public var count: Int
    public var blockSizes: [Int]
    /// Edge probability inside a block.
    public var p: Double
    /// Edge probability between blocks.
    public var q: Double

    public init(count: Int = 1000, blockSizes: [Int] = [5, 5], p: Double = 0.5, q: Double = 0.05) {
        self.count = count
        self.blockSizes = blockSizes
        self.p = p
        self.q = q
    }

    public var nodeCount: Int { blockSizes.reduce(0, +) }
    public var sampleShape: [Int] { [1, nodeCount, nodeCount] }

    public func generate<R: RandomNumberGenerator>(using rng: inout R, name: String = "sbm") throws -> Dataset {
        guard count >= 0, !blockSizes.isEmpty, blockSizes.allSatisfy({ $0 > 0 }) else {
            throw DataError.invalidArgument("stochastic block model: count \(count) and block sizes \(blockSizes) must be positive")
        }
        guard (0...1).contains(p), (0...1).contains(q) else {
            throw DataError.invalidArgument("stochastic block model: probabilities p = \(p), q = \(q) must be in [0, 1]")
        }
        let n = nodeCount
        let block = blockSizes.enumerated().flatMap { index, size in [Int](repeating: index, count: size) }
        var inputs = [Float]()
        inputs.reserveCapacity(count * n * n)
        var labels = [Int]()
        labels.reserveCapacity(count)
        var adjacency = [Float](repeating: 0, count: n * n)
        for _ in 0..<count {
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) {
                    let threshold = block[i] == block[j] ? p : q
                    let edge: Float = UniformDraws.unit(&rng) < threshold ? 1 : 0
                    adjacency[i * n + j] = edge
                    adjacency[j * n + i] = edge
                }
            }
            let order = UniformDraws.permutation(n, &rng)
            var permuted = [Float](repeating: 0, count: n * n)
            for a in 0..<n {
                for b in 0..<n { permuted[a * n + b] = adjacency[order[a] * n + order[b]] }
            }
            inputs.append(contentsOf: permuted)
            labels.append(StochasticBlockModel.isConnected(adjacency: permuted, nodes: n) ? 1 : 0)
        }
        return try Dataset(name: name, sampleShape: sampleShape, inputs: inputs, labels: labels, classes: 2)
    }

    /// Breadth-first search from node 0 over nonzero entries; true when every node is reached.
    public static func isConnected<C: RandomAccessCollection>(adjacency: C, nodes n: Int) -> Bool
    where C.Element == Float, C.Index == Int {
        guard n > 0 else { return true }
        let base = adjacency.startIndex
        var reached = [Bool](repeating: false, count: n)
        var queue = [0]
        reached[0] = true
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for other in 0..<n where !reached[other] && adjacency[base + node * n + other] != 0 {
                reached[other] = true
                queue.append(other)
            }
        }
        return queue.count == n
    }
}
