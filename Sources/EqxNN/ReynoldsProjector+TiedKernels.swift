import EqxGroups
import EqxIR
import EqxTensor

extension ReynoldsProjector {
    /// Convs whose E is exactly "taps in one orbit share a weight", with the same tap orbits for every
    /// (output, input) channel pair and fewer orbits than taps: the group moves the kernel's taps and
    /// acts trivially on both channel spaces (a mirror or rotations with trivial channels). Their
    /// equivariant training can run `orbitTiedConv2d` on the free weights (K shrinks from C·KH·KW to
    /// C·R). A conv whose channels the group permutes (regular channels) is not listed.
    public var tiedKernels: [String: TapOrbits] {
        var result: [String: TapOrbits] = [:]
        for layer in representation.spec.flattenedLayers {
            guard case .conv = layer.kind, let shape = layer.parameterShapes.first(where: { $0.0 == "weight" })?.1,
                  shape.count == 4, let partition = partitions["\(layer.name).weight"],
                  let orbits = tapOrbits(partition, shape: shape) else { continue }
            result[layer.name] = orbits
        }
        return result
    }

    /// The tap orbits of the first channel pair, when every channel pair is partitioned by them alone.
    func tapOrbits(_ partition: OrbitPartition, shape: [Int]) -> TapOrbits? {
        let taps = shape[2] * shape[3], blocks = shape[0] * shape[1]
        guard taps > 0, blocks > 0, partition.count == blocks * taps else { return nil }
        // Block 0's orbit numbers, renumbered in order of their first tap.
        var label: [Int: Int] = [:], orbitOfTap: [Int] = []
        for t in 0..<taps {
            let o = partition.orbit(of: t)
            if label[o] == nil { label[o] = label.count }
            orbitOfTap.append(label[o]!)
        }
        guard label.count < taps, let orbits = try? TapOrbits(kernelHeight: shape[2], kernelWidth: shape[3], orbitOfTap: orbitOfTap),
              partition.orbitCount == blocks * orbits.count else { return nil }
        // Taps of one tap orbit share an orbit in every block; with blocks·R orbits in all, no two blocks
        // or tap orbits share one.
        var first = [Int](repeating: -1, count: orbits.count)
        for t in 0..<taps where first[orbitOfTap[t]] < 0 { first[orbitOfTap[t]] = t }
        for b in 0..<blocks {
            for t in 0..<taps where partition.orbit(of: b * taps + t) != partition.orbit(of: b * taps + first[orbitOfTap[t]]) {
                return nil
            }
        }
        return orbits
    }
}
