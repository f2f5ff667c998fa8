// Index permutations in the gather convention (ρ(g)v)[i] = v[perm[g][i]] (see FiniteGroup.swift).

/// Whether `p` is a permutation of 0..<p.count.
public func isPermutation(_ p: [Int]) -> Bool {
    var seen = [Bool](repeating: false, count: p.count)
    for i in p {
        guard i >= 0, i < p.count, !seen[i] else { return false }
        seen[i] = true
    }
    return true
}

/// Throws a descriptive error unless `p` is a permutation of 0..<count. `what` names the array.
public func validatePermutation(_ p: [Int], count: Int, what: String) throws {
    guard p.count == count else {
        throw GroupError.invalidPermutation("\(what) must have \(count) entries, got \(p.count)")
    }
    var seenAt = [Int](repeating: -1, count: count)
    for (position, i) in p.enumerated() {
        guard i >= 0, i < count else {
            throw GroupError.invalidPermutation(
                "\(what) is not a permutation of 0..<\(count): entry \(position) is \(i)")
        }
        guard seenAt[i] < 0 else {
            throw GroupError.invalidPermutation(
                "\(what) is not a permutation: \(i) appears at positions \(seenAt[i]) and \(position)")
        }
        seenAt[i] = position
    }
}

/// The inverse permutation: result[p[i]] = i.
public func inversePermutation(_ p: [Int]) -> [Int] {
    var inverse = [Int](repeating: 0, count: p.count)
    for (i, image) in p.enumerated() { inverse[image] = i }
    return inverse
}

/// The gather of ρ(g)ρ(h) from perm[g] and perm[h]: result[i] = h[g[i]] (so result = perm[g∘h] when the
/// arrays come from a representation).
public func composedPermutation(_ g: [Int], _ h: [Int]) -> [Int] {
    precondition(g.count == h.count, "composedPermutation of \(g.count) and \(h.count) entries")
    return g.map { h[$0] }
}

/// ρ(g)v for the gather perm[g]: result[i] = values[permutation[i]].
public func gather<Element>(_ values: [Element], _ permutation: [Int]) -> [Element] {
    precondition(values.count == permutation.count,
                 "gather of \(values.count) values by a permutation of \(permutation.count) entries")
    return permutation.map { values[$0] }
}

/// The permutation of a row-major multi-axis index set (axis 0 slowest) that applies factors[k] on axis k:
/// result[(i₀, i₁, …)] = (f₀[i₀], f₁[i₁], …), flattened row-major with axis sizes fₖ.count. This is the
/// gather of the tensor product ρ₀ ⊗ ρ₁ ⊗ …; e.g. for a conv weight [out, in, kh, kw] pass
/// [σ_out, σ_in, κ] with κ the kernel permutation over kh·kw. No factors gives [0] (a scalar).
public func productPermutation(_ factors: [[Int]]) -> [Int] {
    var result = [0]
    for factor in factors {
        let n = factor.count
        var next = [Int]()
        next.reserveCapacity(result.count * n)
        for base in result {
            for image in factor { next.append(base * n + image) }
        }
        result = next
    }
    return result
}
