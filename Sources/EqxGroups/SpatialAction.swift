// How each group permutes the positions of a grid, a convolution kernel or a plain vector.

/// An index set a group can act on by permuting positions. Flat indices are row-major.
public enum SpatialDomain: Hashable, Sendable, CustomStringConvertible {
    /// No spatial axes (one position), e.g. features after global pooling: every group acts trivially.
    case none
    /// An H×W feature map; pixel (h, w) has index h·W + w, row 0 at the top.
    case grid(height: Int, width: Int)
    /// A kh×kw convolution kernel (same indexing as a grid). Point groups transform it about its centre;
    /// translations act as the identity (a stride-1 convolution with circular padding commutes with every
    /// cyclic shift, so g·K = K).
    case kernel(height: Int, width: Int)
    /// A plain vector whose coordinates S_n permutes (e.g. node features of a graph).
    case vector(length: Int)

    /// The number of positions.
    public var size: Int {
        switch self {
        case .none: return 1
        case let .grid(height, width), let .kernel(height, width): return height * width
        case .vector(let length): return length
        }
    }

    public var description: String {
        switch self {
        case .none: return "a space without spatial axes"
        case let .grid(height, width): return "a \(height)×\(width) grid"
        case let .kernel(height, width): return "a \(height)×\(width) kernel"
        case .vector(let length): return "a vector of length \(length)"
        }
    }

    func validate() throws {
        switch self {
        case .none:
            return
        case let .grid(height, width), let .kernel(height, width):
            guard height >= 1, width >= 1 else {
                throw GroupError.invalidDomain("\(self) has a non-positive size \(height)×\(width)")
            }
        case .vector(let length):
            guard length >= 1 else { throw GroupError.invalidDomain("a vector needs a positive length, got \(length)") }
        }
    }
}

extension FiniteGroup {
    /// Throws a descriptive `GroupError.cannotAct` unless the group acts on the domain.
    public func validateAction(on domain: SpatialDomain) throws {
        try domain.validate()
        func fail(_ reason: String) -> GroupError {
            .cannotAct(group: name, domain: domain.description, reason: reason)
        }
        switch (structure, domain) {
        case (_, .none), (.trivial, _):
            return
        case (.mirror, .grid), (.mirror, .kernel):
            return
        case let (.rotations, .grid(height, width)), let (.dihedral, .grid(height, width)):
            guard height == width else {
                throw fail("rotations by 90° need square feature maps, got \(height)×\(width)")
            }
        case let (.rotations, .kernel(height, width)), let (.dihedral, .kernel(height, width)):
            guard height == width else { throw fail("rotations by 90° need square kernels, got \(height)×\(width)") }
        case (.mirror, .vector), (.rotations, .vector), (.dihedral, .vector):
            throw fail("mirrors and rotations act on grids and kernels; only S_n permutes plain vector coordinates")
        case let (.translations(rows, columns), .grid(height, width)):
            guard height % rows == 0, width % columns == 0 else {
                throw fail("cyclic translations with periods \(rows)×\(columns) need a height that is a multiple "
                    + "of \(rows) and a width that is a multiple of \(columns), got \(height)×\(width)")
            }
        case (.translations, .kernel):
            return
        case (.translations, .vector):
            throw fail("cyclic translations act on grids; only S_n permutes plain vector coordinates")
        case let (.symmetric(n), .vector(length)):
            guard length == n else { throw fail("S\(n) permutes vectors of length \(n), got length \(length)") }
        case let (.symmetric(n), .grid(height, width)):
            guard height == n, width == n else {
                throw fail("S\(n) acts on \(n)×\(n) matrices (X ↦ P X Pᵀ), got \(height)×\(width)")
            }
        case (.symmetric, .kernel):
            throw fail("the symmetric group does not act on convolution kernels")
        case let (.directProduct(a, b), _):
            try a.validateAction(on: domain)
            try b.validateAction(on: domain)
            let first = a.generators.map { a.actionPermutation($0, on: domain) }
            let second = b.generators.map { b.actionPermutation($0, on: domain) }
            for (i, p) in first.enumerated() {
                for (j, q) in second.enumerated() where composedPermutation(p, q) != composedPermutation(q, p) {
                    throw fail("the actions of \(a) and \(b) do not commute there (generators "
                        + "\(a.name(of: a.generators[i])) and \(b.name(of: b.generators[j]))), so their direct "
                        + "product cannot act by composing them; for translations with mirrors or rotations use "
                        + "the semidirect product translations ⋊ point group")
                }
            }
        case let (.semidirectProduct(t, k), _):
            try t.validateAction(on: domain)
            try k.validateAction(on: domain)
        }
    }

    /// perm[g] on the domain: (ρ(g)v)[i] = v[perm[i]], i.e. perm[p] = index of g⁻¹(p).
    /// Throws if the group cannot act on the domain (whatever the element) or the element is out of range.
    public func spatialPermutation(element: Int, on domain: SpatialDomain) throws -> [Int] {
        try checkElement(element)
        try validateAction(on: domain)
        return actionPermutation(element, on: domain)
    }

    /// perm[g] on an H×W grid (pixel (h, w) at index h·W + w, row 0 at the top).
    public func pixelPermutation(element: Int, height: Int, width: Int) throws -> [Int] {
        try spatialPermutation(element: element, on: .grid(height: height, width: width))
    }

    /// perm[g] on a kh×kw kernel: the geometric transform about the kernel centre for point groups, the
    /// identity for translations. With it, conv(g·x, g·K) = g·conv(x, K) for stride-1 convolutions with
    /// odd kernel sizes and symmetric ("same") padding (circular padding for translations); even kernels
    /// are still transformed about their centre, but "same" padding is then asymmetric and the identity
    /// only holds up to a one-pixel shift.
    public func kernelPermutation(element: Int, height: Int, width: Int) throws -> [Int] {
        try spatialPermutation(element: element, on: .kernel(height: height, width: width))
    }

    /// perm[g] on a vector of length n (S_n: (g·v)[i] = v[σ⁻¹(i)]).
    public func vectorPermutation(element: Int, length: Int) throws -> [Int] {
        try spatialPermutation(element: element, on: .vector(length: length))
    }

    /// perm[g] on an n×n matrix, row-major (S_n: g·X = P X Pᵀ, i.e. (g·X)[i][j] = X[σ⁻¹(i)][σ⁻¹(j)]).
    public func matrixPermutation(element: Int, size: Int) throws -> [Int] {
        try spatialPermutation(element: element, on: .grid(height: size, width: size))
    }

    /// The action after `validateAction(on:)` succeeded.
    func actionPermutation(_ g: Int, on domain: SpatialDomain) -> [Int] {
        let count = domain.size
        switch (structure, domain) {
        case (_, .none), (.trivial, _), (.translations, .kernel):
            return Array(0..<count)
        case let (.mirror, .grid(height, width)), let (.mirror, .kernel(height, width)),
             let (.rotations, .grid(height, width)), let (.rotations, .kernel(height, width)),
             let (.dihedral, .grid(height, width)), let (.dihedral, .kernel(height, width)):
            let inverse = dihedralEmbedding(self.inverse(g))
            var perm = [Int](repeating: 0, count: count)
            for h in 0..<height {
                for w in 0..<width {
                    let (y, x) = Dihedral.map(inverse, h: h, w: w, height: height, width: width)
                    perm[h * width + w] = y * width + x
                }
            }
            return perm
        case let (.translations(rows, columns), .grid(height, width)):
            let down = (g / columns) * (height / rows)
            let right = (g % columns) * (width / columns)
            var perm = [Int](repeating: 0, count: count)
            for h in 0..<height {
                for w in 0..<width {
                    perm[h * width + w] = ((h - down + height) % height) * width + (w - right + width) % width
                }
            }
            return perm
        case let (.symmetric(n), .vector):
            return inversePermutation(SymmetricGroup.permutation(rank: g, degree: n))
        case let (.symmetric(n), .grid):
            let inverse = inversePermutation(SymmetricGroup.permutation(rank: g, degree: n))
            return productPermutation([inverse, inverse])
        case let (.directProduct(a, b), _):
            // (x, y) = (x, e)∘(e, y): apply ρ(x) after ρ(y) as gathers.
            return composedPermutation(a.actionPermutation(g / b.order, on: domain),
                                       b.actionPermutation(g % b.order, on: domain))
        case let (.semidirectProduct(t, k), _):
            // (s, k) = (s, e)∘(0, k).
            return composedPermutation(t.actionPermutation(g / k.order, on: domain),
                                       k.actionPermutation(g % k.order, on: domain))
        default:
            preconditionFailure("actionPermutation of \(name) on \(domain) without validateAction")
        }
    }
}
