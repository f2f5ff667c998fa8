/// "Did you mean …?": the candidate closest to a misspelt name, if it is close enough to be a typo.
///
/// Distance is Damerau–Levenshtein (insertions, deletions, substitutions and transpositions of adjacent
/// characters, unrestricted) on lower-cased names, so `ReLU` finds `relu` and `lienar` finds `linear`.
/// A candidate qualifies when its distance is at most max(1, min(3, ⌊n/3⌋)) for a name of n characters and
/// smaller than both lengths (so `x` never "means" `y`). Ties go to the smaller case-sensitive distance, then
/// to the alphabetically first candidate (case-insensitively, then exactly): the answer does not depend on
/// the order or repetition of `candidates`.
public func suggestion(for name: String, among candidates: [String]) -> String? {
    let target = Array(name.lowercased())
    let exact = Array(name)
    guard !target.isEmpty else { return nil }
    let limit = max(1, min(3, target.count / 3))
    var best: (distance: Int, caseDistance: Int, folded: String, candidate: String)?
    for candidate in candidates where candidate != name && !candidate.isEmpty {
        let folded = candidate.lowercased()
        let c = Array(folded)
        guard abs(c.count - target.count) <= limit else { continue }
        let d = damerauLevenshteinDistance(target, c)
        guard d <= limit, d < max(target.count, c.count), d < c.count || d == 0 else { continue }
        let key = (d, damerauLevenshteinDistance(exact, Array(candidate)), folded, candidate)
        if let b = best, (b.distance, b.caseDistance, b.folded, b.candidate) <= key { continue }
        best = key
    }
    return best?.candidate
}

/// Unrestricted Damerau–Levenshtein distance (Lowrance–Wagner), O(|a|·|b|).
public func damerauLevenshteinDistance<C: Hashable>(_ a: [C], _ b: [C]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    let infinity = a.count + b.count
    let width = b.count + 2
    // d[(i + 1) * width + (j + 1)] is the distance between a[..<i] and b[..<j]; row and column 0 are sentinels.
    var d = [Int](repeating: 0, count: (a.count + 2) * width)
    d[0] = infinity
    for i in 0...a.count { d[(i + 1) * width] = infinity; d[(i + 1) * width + 1] = i }
    for j in 0...b.count { d[j + 1] = infinity; d[width + j + 1] = j }
    var lastRow: [C: Int] = [:]
    for i in 1...a.count {
        var lastMatchColumn = 0
        for j in 1...b.count {
            let i1 = lastRow[b[j - 1]] ?? 0
            let j1 = lastMatchColumn
            var cost = 1
            if a[i - 1] == b[j - 1] { cost = 0; lastMatchColumn = j }
            let substitution = d[i * width + j] + cost
            let insertion = d[(i + 1) * width + j] + 1
            let deletion = d[i * width + j + 1] + 1
            let transposition = d[i1 * width + j1] + (i - i1 - 1) + 1 + (j - j1 - 1)
            d[(i + 1) * width + j + 1] = min(substitution, insertion, deletion, transposition)
        }
        lastRow[a[i - 1]] = i
    }
    return d[(a.count + 1) * width + b.count + 1]
}
