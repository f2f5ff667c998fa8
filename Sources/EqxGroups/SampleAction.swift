import Foundation

/// A group acting on the samples of a batch or dataset by permuting each sample's entries: the one
/// implementation behind augmentation, orbit closure, the invariance penalty, the batch-norm reset on g·x
/// and the symmetry metrics. The action is validated once, when it is made, so every permutation it hands
/// out is a permutation of 0..<sampleSize and every gather it builds stays inside the buffer.
public struct SampleAction: Sendable {
    public let group: FiniteGroup
    /// What one sample is: channels over a grid, a node vector, or a plain vector the group fixes.
    public let space: FeatureSpace
    /// Entries per sample.
    public var sampleSize: Int { space.size }
    private let permutations: PermutationCache

    /// The action on samples of `space` (an input, or a hidden feature space for equivariance metrics).
    public init(group: FiniteGroup, space: FeatureSpace) throws {
        try group.validateAction(on: space)
        guard space.size > 0 else { throw GroupError.invalidDomain("samples of \(space) have no entries") }
        self.group = group
        self.space = space
        permutations = PermutationCache(keepsAll: group.order <= FiniteGroup.tabulationLimit)
    }

    /// The action on input samples of `shape`: [C, H, W] images, [n] node vectors; a non-trivial group
    /// has nothing to move in samples of any other shape.
    public init(group: FiniteGroup, sampleShape shape: [Int]) throws {
        let space = FeatureSpace(sampleShape: shape)
        if space.spatial == .none && !group.movesNothing {
            throw GroupError.cannotAct(group: group.name, domain: "samples of shape \(shape)",
                                       reason: "\(group) acts on images [C, H, W] or node vectors [n], but the samples have shape \(shape)")
        }
        try self.init(group: group, space: space)
    }

    /// The one cached action per group and input shape, which every caller goes through (directly or as
    /// `SymbolicGroup.sampleAction(forInput:)`), so permutations are built once per run.
    public static func shared(group: FiniteGroup, sampleShape: [Int]) throws -> SampleAction {
        let key = SharedKey(group: group, sampleShape: sampleShape)
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let action = sharedActions[key] { return action }
        let action = try SampleAction(group: group, sampleShape: sampleShape)
        sharedActions[key] = action
        return action
    }

    /// perm[g] on one sample: (g·x)[i] = x[perm[i]].
    public func permutation(_ element: Int) throws -> [Int] {
        try group.checkElement(element)
        return permutations.permutation(element) {
            productPermutation([
                group.uncheckedChannelPermutation(element, channels: space.channels, representation: space.representation),
                group.actionPermutation(element, on: space.spatial),
            ])
        }
    }

    /// Gather indices for a batch of `elements.count` samples where sample s is moved by `elements[s]`.
    public func batchIndices(elements: [Int]) throws -> [Int] {
        let size = sampleSize
        var indices = [Int](repeating: 0, count: elements.count * size)
        for (s, g) in elements.enumerated() {
            let perm = try permutation(g), base = s * size
            for i in 0..<size { indices[base + i] = base + perm[i] }
        }
        return indices
    }

    /// `values` (whole samples, one after another) with sample s moved by `elements[s]`.
    public func moving<Value>(_ values: [Value], by elements: [Int]) throws -> [Value] {
        guard values.count == elements.count * sampleSize else {
            throw GroupError.invalidDomain("\(elements.count) samples of \(sampleSize) entries need \(elements.count * sampleSize) values, got \(values.count)")
        }
        return gather(values, try batchIndices(elements: elements))
    }

    /// Every sample of `values` moved by the same element.
    public func moving<Value>(_ values: [Value], by element: Int) throws -> [Value] {
        try moving(values, by: Array(repeating: element, count: try sampleCount(values.count)))
    }

    /// All |G| transforms of every sample, grouped by element (every e·x first, then g₁·x, …).
    public func orbits<Value>(of values: [Value]) throws -> [Value] {
        guard group.order <= FiniteGroup.enumerationLimit else {
            throw GroupError.tooLargeToEnumerate(group: group.name, order: group.order, limit: FiniteGroup.enumerationLimit)
        }
        let (total, overflow) = values.count.multipliedReportingOverflow(by: group.order)
        guard !overflow, total <= 1 << 40 else {
            throw GroupError.tooLargeToEnumerate(group: group.name, order: group.order, limit: (1 << 40) / max(1, values.count))
        }
        var out: [Value] = []
        out.reserveCapacity(total)
        for g in group.elements { out += try moving(values, by: g) }
        return out
    }

    private func sampleCount(_ count: Int) throws -> Int {
        guard count % sampleSize == 0 else {
            throw GroupError.invalidDomain("\(count) values are not whole samples of \(sampleSize) entries")
        }
        return count / sampleSize
    }

    private struct SharedKey: Hashable { let group: FiniteGroup; let sampleShape: [Int] }
    nonisolated(unsafe) private static var sharedActions: [SharedKey: SampleAction] = [:]
    private static let sharedLock = NSLock()
}

/// Permutations computed once per element; for groups too large to tabulate, only the last few drawn.
private final class PermutationCache: @unchecked Sendable {
    private let keepsAll: Bool
    private var table: [Int: [Int]] = [:]
    private let lock = NSLock()

    init(keepsAll: Bool) { self.keepsAll = keepsAll }

    func permutation(_ element: Int, make: () -> [Int]) -> [Int] {
        lock.lock()
        if let p = table[element] { lock.unlock(); return p }
        lock.unlock()
        let p = make()
        lock.lock()
        if !keepsAll && table.count >= 256 { table.removeAll(keepingCapacity: true) }
        table[element] = p
        lock.unlock()
        return p
    }
}

extension FeatureSpace {
    /// The space of one input sample: [C, H, W] is C channels over an H×W grid, [n] a vector of n nodes,
    /// any other shape a plain vector of its entries that only a trivial group acts on.
    public init(sampleShape shape: [Int]) {
        switch shape.count {
        case 3: self.init(channels: shape[0], representation: .trivial, spatial: .grid(height: shape[1], width: shape[2]))
        case 1: self.init(channels: 1, representation: .trivial, spatial: .vector(length: shape[0]))
        default: self.init(channels: shape.reduce(1, *), representation: .trivial, spatial: .none)
        }
    }
}

extension FiniteGroup {
    /// Whether every element acts as the identity on everything (the trivial group or products of it).
    var movesNothing: Bool {
        switch structure {
        case .trivial: return true
        case let .directProduct(a, b): return a.movesNothing && b.movesNothing
        case .mirror, .rotations, .dihedral, .translations, .symmetric, .semidirectProduct: return false
        }
    }
}
