/// Exact maximum-weight matching on a general (non-bipartite) graph: Edmonds' blossom algorithm in the
/// primal-dual O(V³) form of Galil (1986). Used for the best involution (`BestInvolution`).
///
/// Ties are broken deterministically (the algorithm has no randomness and scans edges in input order).
public enum MaximumWeightMatching {
    /// An undirected edge with a weight. Self-loops are not allowed (model a fixed point by a weight
    /// offset instead, as `BestInvolution` does).
    public struct Edge: Hashable, Sendable {
        public var u: Int
        public var v: Int
        public var weight: Double
        public init(_ u: Int, _ v: Int, weight: Double) {
            self.u = u
            self.v = v
            self.weight = weight
        }
    }

    /// A matching of maximum total weight (not necessarily of maximum cardinality): result[v] is v's
    /// partner, or −1 if v is unmatched. Edges of non-positive weight are never needed and are ignored.
    public static func solve(vertexCount: Int, edges: [Edge]) throws -> [Int] {
        guard vertexCount >= 0 else {
            throw AssignmentError.shapeMismatch(rows: vertexCount, columns: vertexCount, count: 0)
        }
        var useful = [Edge]()
        for edge in edges {
            guard edge.weight.isFinite else {
                throw AssignmentError.nonFiniteCost(row: edge.u, column: edge.v, value: edge.weight)
            }
            guard (0..<vertexCount).contains(edge.u), (0..<vertexCount).contains(edge.v), edge.u != edge.v else {
                throw MatchingError.invalidEdge(u: edge.u, v: edge.v, vertexCount: vertexCount)
            }
            if edge.weight > 0 { useful.append(edge) }
        }
        if useful.isEmpty { return [Int](repeating: -1, count: vertexCount) }
        let solver = BlossomSolver(vertexCount: vertexCount, edges: useful)
        solver.run()
        return (0..<vertexCount).map { solver.mate[$0] < 0 ? -1 : solver.endpoint[solver.mate[$0]] }
    }
}

/// An invalid matching input.
public enum MatchingError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidEdge(u: Int, v: Int, vertexCount: Int)
    case notSquare(count: Int, size: Int)

    public var description: String {
        switch self {
        case let .invalidEdge(u, v, vertexCount):
            return "matching edge (\(u), \(v)) must join two different vertices among 0..<\(vertexCount)"
        case let .notSquare(count, size):
            return "an involution score matrix of size \(size) needs \(size * size) entries, got \(count)"
        }
    }
}

/// The involution π (π∘π = id) maximising Σ_i score[i, π(i)], e.g. the best channel matching of a network
/// with its mirrored copy that is still a representation of Z2 (Bökman & Kahl §2.9).
///
/// A fixed point i contributes score[i, i]; a 2-cycle (i j) contributes score[i, j] + score[j, i]. Writing
/// the objective as Σ_i score[i, i] + Σ_pairs (score[i, j] + score[j, i] − score[i, i] − score[j, j]) turns
/// it into a maximum-weight matching on the complete graph, with unmatched vertices as fixed points.
public enum BestInvolution {
    /// The optimal involution for a row-major n×n score matrix; result[i] = π(i).
    public static func solve(score: [Double], size n: Int) throws -> [Int] {
        guard n >= 0, score.count == n * n else { throw MatchingError.notSquare(count: score.count, size: n) }
        for (k, value) in score.enumerated() where !value.isFinite {
            throw AssignmentError.nonFiniteCost(row: k / n, column: k % n, value: value)
        }
        var edges = [MaximumWeightMatching.Edge]()
        for i in 0..<n {
            for j in (i + 1)..<max(n, i + 1) {
                let gain = score[i * n + j] + score[j * n + i] - score[i * n + i] - score[j * n + j]
                if gain > 0 { edges.append(.init(i, j, weight: gain)) }
            }
        }
        let mate = try MaximumWeightMatching.solve(vertexCount: n, edges: edges)
        return (0..<n).map { mate[$0] < 0 ? $0 : mate[$0] }
    }

    /// Σ_i score[i, π(i)].
    public static func total(score: [Double], size n: Int, involution: [Int]) -> Double {
        involution.enumerated().reduce(0) { $0 + score[$1.offset * n + $1.element] }
    }
}

/// State of the blossom algorithm. Vertices are 0..<n, blossoms n..<2n. Edge k has endpoints 2k (its u)
/// and 2k+1 (its v); `endpoint[p]` is the vertex at endpoint p and p^1 is the other end of the same edge.
/// Labels: 0 free, 1 S (outer), 2 T (inner); bit 4 marks blossoms on the path during `scanBlossom`.
private final class BlossomSolver {
    let n: Int
    let edgeU: [Int], edgeV: [Int], weight: [Double]
    let endpoint: [Int]
    /// For each vertex, the remote endpoints of its edges.
    let neighbourEndpoints: [[Int]]

    var mate: [Int]                     // remote endpoint of the matched edge, or −1
    var label: [Int]
    var labelEnd: [Int]
    var inBlossom: [Int]
    var blossomParent: [Int]
    var blossomChildren: [[Int]]
    var blossomBase: [Int]
    var blossomEndpoints: [[Int]]
    var bestEdge: [Int]
    var blossomBestEdges: [[Int]?]
    var unusedBlossoms: [Int]
    var dual: [Double]
    var allowEdge: [Bool]
    var queue: [Int] = []

    init(vertexCount: Int, edges: [MaximumWeightMatching.Edge]) {
        n = vertexCount
        edgeU = edges.map(\.u)
        edgeV = edges.map(\.v)
        weight = edges.map(\.weight)
        var endpoints = [Int]()
        endpoints.reserveCapacity(2 * edges.count)
        var neighbours = [[Int]](repeating: [], count: n)
        for (k, edge) in edges.enumerated() {
            endpoints.append(edge.u)
            endpoints.append(edge.v)
            neighbours[edge.u].append(2 * k + 1)
            neighbours[edge.v].append(2 * k)
        }
        endpoint = endpoints
        neighbourEndpoints = neighbours
        let maxWeight = max(0, weight.max() ?? 0)
        mate = [Int](repeating: -1, count: n)
        label = [Int](repeating: 0, count: 2 * n)
        labelEnd = [Int](repeating: -1, count: 2 * n)
        inBlossom = Array(0..<n)
        blossomParent = [Int](repeating: -1, count: 2 * n)
        blossomChildren = [[Int]](repeating: [], count: 2 * n)
        blossomBase = Array(0..<n) + [Int](repeating: -1, count: n)
        blossomEndpoints = [[Int]](repeating: [], count: 2 * n)
        bestEdge = [Int](repeating: -1, count: 2 * n)
        blossomBestEdges = [[Int]?](repeating: nil, count: 2 * n)
        unusedBlossoms = Array(n..<(2 * n))
        dual = [Double](repeating: maxWeight, count: n) + [Double](repeating: 0, count: n)
        allowEdge = [Bool](repeating: false, count: edges.count)
    }

    func slack(_ k: Int) -> Double { dual[edgeU[k]] + dual[edgeV[k]] - 2 * weight[k] }

    func leaves(_ b: Int) -> [Int] {
        if b < n { return [b] }
        var result = [Int]()
        var stack = [b]
        while let t = stack.popLast() {
            if t < n { result.append(t) } else { stack.append(contentsOf: blossomChildren[t].reversed()) }
        }
        return result
    }

    /// Python-style index: negative j counts from the end.
    @inline(__always) func at(_ list: [Int], _ j: Int) -> Int { list[j >= 0 ? j : j + list.count] }

    func assignLabel(_ w: Int, _ t: Int, _ p: Int) {
        let b = inBlossom[w]
        label[w] = t; label[b] = t
        labelEnd[w] = p; labelEnd[b] = p
        bestEdge[w] = -1; bestEdge[b] = -1
        if t == 1 {
            queue.append(contentsOf: leaves(b))
        } else {
            // T-blossom: its base is matched; label the mate S.
            let base = blossomBase[b]
            assignLabel(endpoint[mate[base]], 1, mate[base] ^ 1)
        }
    }

    /// Traces back from v and w to find a new blossom's base, or −1 if they are in different trees.
    func scanBlossom(_ start: Int, _ other: Int) -> Int {
        var path = [Int]()
        var base = -1
        var v = start, w = other
        while v != -1 || w != -1 {
            var b = inBlossom[v]
            if label[b] & 4 != 0 {
                base = blossomBase[b]
                break
            }
            path.append(b)
            label[b] = 5
            if labelEnd[b] == -1 {
                v = -1
            } else {
                v = endpoint[labelEnd[b]]
                b = inBlossom[v]
                v = endpoint[labelEnd[b]]
            }
            if w != -1 { swap(&v, &w) }
        }
        for b in path { label[b] = 1 }
        return base
    }

    func addBlossom(_ base: Int, _ k: Int) {
        var v = edgeU[k], w = edgeV[k]
        let bb = inBlossom[base]
        var bv = inBlossom[v], bw = inBlossom[w]
        let b = unusedBlossoms.removeLast()
        blossomBase[b] = base
        blossomParent[b] = -1
        blossomParent[bb] = b
        var path = [Int](), endps = [Int]()
        while bv != bb {
            blossomParent[bv] = b
            path.append(bv)
            endps.append(labelEnd[bv])
            v = endpoint[labelEnd[bv]]
            bv = inBlossom[v]
        }
        path.append(bb)
        path.reverse()
        endps.reverse()
        endps.append(2 * k)
        while bw != bb {
            blossomParent[bw] = b
            path.append(bw)
            endps.append(labelEnd[bw] ^ 1)
            w = endpoint[labelEnd[bw]]
            bw = inBlossom[w]
        }
        blossomChildren[b] = path
        blossomEndpoints[b] = endps
        label[b] = 1
        labelEnd[b] = labelEnd[bb]
        dual[b] = 0
        for leaf in leaves(b) {
            if label[inBlossom[leaf]] == 2 { queue.append(leaf) }
            inBlossom[leaf] = b
        }
        // Least-slack edges from the new blossom to each neighbouring S-blossom.
        var bestTo = [Int](repeating: -1, count: 2 * n)
        for child in path {
            let lists: [[Int]]
            if let cached = blossomBestEdges[child] {
                lists = [cached]
            } else {
                lists = leaves(child).map { leaf in neighbourEndpoints[leaf].map { $0 / 2 } }
            }
            for list in lists {
                for edge in list {
                    var j = edgeV[edge]
                    if inBlossom[j] == b { j = edgeU[edge] }
                    let bj = inBlossom[j]
                    if bj != b && label[bj] == 1 && (bestTo[bj] == -1 || slack(edge) < slack(bestTo[bj])) {
                        bestTo[bj] = edge
                    }
                }
            }
            blossomBestEdges[child] = nil
            bestEdge[child] = -1
        }
        let best = bestTo.filter { $0 != -1 }
        blossomBestEdges[b] = best
        bestEdge[b] = -1
        for edge in best where bestEdge[b] == -1 || slack(edge) < slack(bestEdge[b]) { bestEdge[b] = edge }
    }

    func expandBlossom(_ b: Int, endStage: Bool) {
        for s in blossomChildren[b] {
            blossomParent[s] = -1
            if s < n {
                inBlossom[s] = s
            } else if endStage && dual[s] == 0 {
                expandBlossom(s, endStage: endStage)
            } else {
                for leaf in leaves(s) { inBlossom[leaf] = s }
            }
        }
        if !endStage && label[b] == 2 {
            // Relabel the sub-blossoms on the even-length path from the entry child to the base.
            let children = blossomChildren[b], endps = blossomEndpoints[b]
            let entryChild = inBlossom[endpoint[labelEnd[b] ^ 1]]
            let walk = evenPathWalk(from: children.firstIndex(of: entryChild)!, count: children.count)
            let (jStep, trick) = (walk.step, walk.trick)
            var j = walk.start
            var p = labelEnd[b]
            while j != 0 {
                label[endpoint[p ^ 1]] = 0
                label[endpoint[at(endps, j - trick) ^ trick ^ 1]] = 0
                assignLabel(endpoint[p ^ 1], 2, p)
                allowEdge[at(endps, j - trick) / 2] = true
                j += jStep
                p = at(endps, j - trick) ^ trick
                allowEdge[p / 2] = true
                j += jStep
            }
            let bv = at(children, j)
            label[endpoint[p ^ 1]] = 2; label[bv] = 2
            labelEnd[endpoint[p ^ 1]] = p; labelEnd[bv] = p
            bestEdge[bv] = -1
            j += jStep
            while at(children, j) != entryChild {
                let child = at(children, j)
                if label[child] == 1 {
                    j += jStep
                    continue
                }
                if let reached = leaves(child).first(where: { label[$0] != 0 }) {
                    label[reached] = 0
                    label[endpoint[mate[blossomBase[child]]]] = 0
                    assignLabel(reached, 2, labelEnd[reached])
                }
                j += jStep
            }
        }
        label[b] = -1
        labelEnd[b] = -1
        blossomChildren[b] = []
        blossomEndpoints[b] = []
        blossomBase[b] = -1
        blossomBestEdges[b] = nil
        bestEdge[b] = -1
        unusedBlossoms.append(b)
    }

    /// How to walk a blossom's cycle from child index i to its base (index 0) along the even-length side:
    /// forwards from i − count when i is odd, backwards from i when even. `trick` selects which endpoint
    /// of each stored edge faces the walk.
    func evenPathWalk(from i: Int, count: Int) -> (start: Int, step: Int, trick: Int) {
        i & 1 != 0 ? (i - count, 1, 0) : (i, -1, 1)
    }

    /// Swaps matched and unmatched edges on the even path through blossom b from vertex v to its base.
    func augmentBlossom(_ b: Int, _ v: Int) {
        var t = v
        while blossomParent[t] != b { t = blossomParent[t] }
        if t >= n { augmentBlossom(t, v) }
        let children = blossomChildren[b], endps = blossomEndpoints[b]
        let i = children.firstIndex(of: t)!
        let walk = evenPathWalk(from: i, count: children.count)
        let (jStep, trick) = (walk.step, walk.trick)
        var j = walk.start
        while j != 0 {
            j += jStep
            t = at(children, j)
            let p = at(endps, j - trick) ^ trick
            if t >= n { augmentBlossom(t, endpoint[p]) }
            j += jStep
            t = at(children, j)
            if t >= n { augmentBlossom(t, endpoint[p ^ 1]) }
            mate[endpoint[p]] = p ^ 1
            mate[endpoint[p ^ 1]] = p
        }
        blossomChildren[b] = Array(children[i...] + children[..<i])
        blossomEndpoints[b] = Array(endps[i...] + endps[..<i])
        blossomBase[b] = blossomBase[blossomChildren[b][0]]
    }

    func augmentMatching(_ k: Int) {
        for (start, startP) in [(edgeU[k], 2 * k + 1), (edgeV[k], 2 * k)] {
            var s = start, p = startP
            while true {
                let bs = inBlossom[s]
                if bs >= n { augmentBlossom(bs, s) }
                mate[s] = p
                if labelEnd[bs] == -1 { break }
                let t = endpoint[labelEnd[bs]]
                let bt = inBlossom[t]
                s = endpoint[labelEnd[bt]]
                let j = endpoint[labelEnd[bt] ^ 1]
                if bt >= n { augmentBlossom(bt, j) }
                mate[j] = labelEnd[bt]
                p = labelEnd[bt] ^ 1
            }
        }
    }

    func run() {
        for _ in 0..<n {
            for b in 0..<(2 * n) {
                label[b] = 0
                bestEdge[b] = -1
            }
            for b in n..<(2 * n) { blossomBestEdges[b] = nil }
            for k in allowEdge.indices { allowEdge[k] = false }
            queue.removeAll(keepingCapacity: true)
            for v in 0..<n where mate[v] == -1 && label[inBlossom[v]] == 0 { assignLabel(v, 1, -1) }

            var augmented = false
            while true {
                while !queue.isEmpty && !augmented {
                    let v = queue.removeLast()
                    for p in neighbourEndpoints[v] {
                        let k = p / 2
                        let w = endpoint[p]
                        if inBlossom[v] == inBlossom[w] { continue }
                        var kSlack = 0.0
                        if !allowEdge[k] {
                            kSlack = slack(k)
                            if kSlack <= 0 { allowEdge[k] = true }
                        }
                        if allowEdge[k] {
                            if label[inBlossom[w]] == 0 {
                                assignLabel(w, 2, p ^ 1)
                            } else if label[inBlossom[w]] == 1 {
                                let base = scanBlossom(v, w)
                                if base >= 0 {
                                    addBlossom(base, k)
                                } else {
                                    augmentMatching(k)
                                    augmented = true
                                    break
                                }
                            } else if label[w] == 0 {
                                // w is inside a T-blossom but not yet reached itself; remember how.
                                label[w] = 2
                                labelEnd[w] = p ^ 1
                            }
                        } else if label[inBlossom[w]] == 1 {
                            let b = inBlossom[v]
                            if bestEdge[b] == -1 || kSlack < slack(bestEdge[b]) { bestEdge[b] = k }
                        } else if label[w] == 0 {
                            if bestEdge[w] == -1 || kSlack < slack(bestEdge[w]) { bestEdge[w] = k }
                        }
                    }
                }
                if augmented { break }

                // Dual update: the largest step keeping all slacks ≥ 0 and blossom duals ≥ 0.
                var deltaType = 1
                var delta = dual[0..<n].min()!
                var deltaEdge = -1, deltaBlossom = -1
                for v in 0..<n where label[inBlossom[v]] == 0 && bestEdge[v] != -1 {
                    let d = slack(bestEdge[v])
                    if d < delta {
                        delta = d
                        deltaType = 2
                        deltaEdge = bestEdge[v]
                    }
                }
                for b in 0..<(2 * n) where blossomParent[b] == -1 && label[b] == 1 && bestEdge[b] != -1 {
                    let d = slack(bestEdge[b]) / 2
                    if d < delta {
                        delta = d
                        deltaType = 3
                        deltaEdge = bestEdge[b]
                    }
                }
                for b in n..<(2 * n) where blossomBase[b] >= 0 && blossomParent[b] == -1 && label[b] == 2
                    && dual[b] < delta {
                    delta = dual[b]
                    deltaType = 4
                    deltaBlossom = b
                }
                for v in 0..<n {
                    switch label[inBlossom[v]] {
                    case 1: dual[v] -= delta
                    case 2: dual[v] += delta
                    default: break
                    }
                }
                for b in n..<(2 * n) where blossomBase[b] >= 0 && blossomParent[b] == -1 {
                    switch label[b] {
                    case 1: dual[b] += delta
                    case 2: dual[b] -= delta
                    default: break
                    }
                }
                switch deltaType {
                case 1:
                    break
                case 2:
                    allowEdge[deltaEdge] = true
                    let i = label[inBlossom[edgeU[deltaEdge]]] == 0 ? edgeV[deltaEdge] : edgeU[deltaEdge]
                    queue.append(i)
                case 3:
                    allowEdge[deltaEdge] = true
                    queue.append(edgeU[deltaEdge])
                default:
                    expandBlossom(deltaBlossom, endStage: false)
                }
                if deltaType == 1 { break }
            }
            if !augmented { break }
            for b in n..<(2 * n) where blossomParent[b] == -1 && blossomBase[b] >= 0 && label[b] == 1 && dual[b] == 0 {
                expandBlossom(b, endStage: true)
            }
        }
    }
}
