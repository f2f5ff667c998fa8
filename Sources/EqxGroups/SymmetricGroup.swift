/// Numbering of S_n's elements: rank in the lexicographic order of one-line notations (Lehmer code).
enum SymmetricGroup {
    static func factorial(_ n: Int) -> Int {
        (1...max(n, 1)).reduce(1, *)
    }

    /// The permutation σ (σ[i] = image of i) with the given lexicographic rank.
    static func permutation(rank: Int, degree n: Int) -> [Int] {
        var available = Array(0..<n)
        var remainder = rank
        var sigma = [Int]()
        sigma.reserveCapacity(n)
        for i in 0..<n {
            let block = factorial(n - 1 - i)
            sigma.append(available.remove(at: remainder / block))
            remainder %= block
        }
        return sigma
    }

    /// The lexicographic rank of a permutation of {0..<n}.
    static func rank(_ sigma: [Int]) -> Int {
        let n = sigma.count
        var rank = 0
        for i in 0..<n {
            var smallerLater = 0
            for j in (i + 1)..<max(n, i + 1) where sigma[j] < sigma[i] { smallerLater += 1 }
            rank = rank * (n - i) + smallerLater
        }
        return rank
    }

    /// Cycle notation without fixed points, e.g. "(0 1)(2 4 3)"; "e" for the identity.
    static func cycleName(_ sigma: [Int]) -> String {
        var seen = [Bool](repeating: false, count: sigma.count)
        var text = ""
        for start in sigma.indices where !seen[start] && sigma[start] != start {
            var cycle = [Int]()
            var i = start
            while !seen[i] {
                seen[i] = true
                cycle.append(i)
                i = sigma[i]
            }
            text += "(" + cycle.map(String.init).joined(separator: " ") + ")"
        }
        return text.isEmpty ? "e" : text
    }

    /// Parses cycle notation ("e", "(0 1)(2 3)", "(0,1)") into a permutation of {0..<n}; nil if invalid.
    static func parseCycles(_ text: String, degree n: Int) -> [Int]? {
        let trimmed = text.trimmingSpaces
        var sigma = Array(0..<n)
        if trimmed == "e" || trimmed == "id" { return sigma }
        var rest = Substring(trimmed)
        var moved = Set<Int>()
        while !rest.isEmpty {
            guard rest.first == "(", let close = rest.firstIndex(of: ")") else { return nil }
            let body = rest[rest.index(after: rest.startIndex)..<close]
            rest = Substring(rest[rest.index(after: close)...].trimmingSpaces)
            let parts = body.split(whereSeparator: { $0 == " " || $0 == "," })
            let cycle = parts.compactMap { Int($0) }
            guard cycle.count == parts.count, !cycle.isEmpty else { return nil }
            for (position, point) in cycle.enumerated() {
                guard point >= 0, point < n, moved.insert(point).inserted else { return nil }
                sigma[point] = cycle[(position + 1) % cycle.count]
            }
        }
        return sigma
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
