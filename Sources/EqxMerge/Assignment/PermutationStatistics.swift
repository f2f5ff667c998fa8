/// The cycle structure of a permutation σ of {0..<n} (σ[i] = image of i), e.g. a channel matching between a
/// network and its transformed copy: fixed points are self-symmetric channels, 2-cycles mirror pairs, longer
/// cycles break the involution property (Bökman & Kahl §3).
public struct PermutationStatistics: Hashable, Sendable, CustomStringConvertible {
    /// n.
    public let count: Int
    /// |{i : σ(i) = i}|.
    public let fixedPoints: Int
    /// Number of 2-cycles.
    public let twoCycles: Int
    /// Lengths of the cycles longer than 2, in decreasing order.
    public let longerCycleLengths: [Int]

    /// Throws `PermutationError` if σ is not a permutation of 0..<σ.count.
    public init(_ permutation: [Int]) throws {
        let n = permutation.count
        var seen = [Bool](repeating: false, count: n)
        for (position, image) in permutation.enumerated() {
            guard image >= 0, image < n, !seen[image] else {
                throw PermutationError(permutation: permutation, position: position)
            }
            seen[image] = true
        }
        var visited = [Bool](repeating: false, count: n)
        var fixed = 0, pairs = 0
        var longer = [Int]()
        for start in 0..<n where !visited[start] {
            var length = 0
            var i = start
            while !visited[i] {
                visited[i] = true
                i = permutation[i]
                length += 1
            }
            switch length {
            case 1: fixed += 1
            case 2: pairs += 1
            default: longer.append(length)
            }
        }
        count = n
        fixedPoints = fixed
        twoCycles = pairs
        longerCycleLengths = longer.sorted(by: >)
    }

    /// Number of cycles longer than 2.
    public var longerCycles: Int { longerCycleLengths.count }
    /// Number of points in cycles longer than 2.
    public var pointsInLongerCycles: Int { longerCycleLengths.reduce(0, +) }
    /// σ∘σ = id: no cycle longer than 2.
    public var isInvolution: Bool { longerCycleLengths.isEmpty }
    /// σ = id.
    public var isIdentity: Bool { fixedPoints == count }

    /// Fractions of the n points that are fixed, in 2-cycles, and in longer cycles (0 when n = 0).
    public var fixedPointFraction: Double { fraction(fixedPoints) }
    public var twoCycleFraction: Double { fraction(2 * twoCycles) }
    public var longerCycleFraction: Double { fraction(pointsInLongerCycles) }

    private func fraction(_ points: Int) -> Double { count == 0 ? 0 : Double(points) / Double(count) }

    public var description: String {
        "\(count) points: \(fixedPoints) fixed, \(twoCycles) 2-cycles, longer cycles \(longerCycleLengths)"
            + (isInvolution ? " (involution)" : "")
    }
}

/// An array that is not a permutation.
public struct PermutationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let permutation: [Int]
    /// The first position whose entry is out of range or repeated.
    public let position: Int

    public var description: String {
        let value = permutation[position]
        if value < 0 || value >= permutation.count {
            return "not a permutation of 0..<\(permutation.count): entry \(position) is \(value)"
        }
        return "not a permutation: \(value) appears twice (again at position \(position))"
    }
}
