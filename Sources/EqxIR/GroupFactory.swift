import EqxGroups

extension FiniteGroup {
    /// The group a script declared, for samples of `inputShape` (translations take the grid's size).
    public static func make(_ spec: GroupSpec, inputShape: [Int]) throws -> FiniteGroup {
        let h = inputShape.count == 3 ? inputShape[1] : 1
        let w = inputShape.count == 3 ? inputShape[2] : 1
        switch spec {
        case .trivial: return .trivial
        case .mirror(.horizontal): return .mirror(.horizontal)
        case .mirror(.vertical): return .mirror(.vertical)
        case .rotations: return .rotations
        case .dihedral4: return .dihedral
        case .translations(.both): return try .translations(rows: h, columns: w)
        case .translations(.width): return try .horizontalTranslations(w)
        case .translations(.height): return try .translations(rows: h, columns: 1)
        case .symmetric(let n): return try .symmetric(n)
        case .product(let a, let b): return try .product(make(a, inputShape: inputShape), make(b, inputShape: inputShape))
        }
    }
}
