import Foundation

/// 64-bit FNV-1a hash of the UTF-8 bytes of `string`: stable across processes and machines
/// (unlike `Hasher`), used to derive stream keys from names.
public func fnv1a64(_ string: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in string.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x0000_0100_0000_01b3
    }
    return h
}

/// SplitMix64 finaliser: a bijective 64-bit mixer.
@inline(__always)
func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9e37_79b9_7f4a_7c15
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
}

/// The Philox4x32-10 block function (Salmon et al., SC'11): maps a 128-bit counter and a 64-bit key to
/// 128 random bits.
public func philox4x32_10(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
    var (c0, c1, c2, c3) = counter
    var (k0, k1) = key
    for round in 0..<10 {
        if round > 0 {
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        let p0 = UInt64(0xD251_1F53) * UInt64(c0)
        let p1 = UInt64(0xCD9E_8D57) * UInt64(c2)
        (c0, c1, c2, c3) = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0, UInt32(truncatingIfNeeded: p1),
                            UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1, UInt32(truncatingIfNeeded: p0))
    }
    return (c0, c1, c2, c3)
}

/// A deterministic, named random stream: Philox4x32-10 in counter mode.
///
/// The key is `splitMix64(seed ^ fnv1a64(name))`, so streams with different names ("init/conv1",
/// "data/shuffle/epoch3") are independent, and adding a stream never shifts another's numbers.
/// Block b (b = 0, 1, …) is Philox(counter: (lo32(b), hi32(b), 0, 0), key); its four words are used in
/// order. The same seed and name give the same numbers on any machine.
public struct RandomStream {
    public let seed: UInt64
    public let name: String
    let key: (UInt32, UInt32)
    /// Index of the next block to generate.
    public private(set) var blockIndex: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4
    private var spareNormal: Float?

    public init(seed: UInt64, name: String) {
        self.seed = seed
        self.name = name
        let k = splitMix64(seed ^ fnv1a64(name))
        key = (UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32))
    }

    /// An independent stream named `name + "/" + child`.
    public func child(_ child: String) -> RandomStream {
        RandomStream(seed: seed, name: name + "/" + child)
    }

    /// The next 32 random bits.
    public mutating func nextUInt32() -> UInt32 {
        if used == 4 {
            buffer = philox4x32_10(counter: (UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: blockIndex >> 32), 0, 0), key: key)
            blockIndex &+= 1
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    /// The next 64 random bits (high word first).
    public mutating func nextUInt64() -> UInt64 {
        let hi = UInt64(nextUInt32())
        return hi << 32 | UInt64(nextUInt32())
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// Uniform in [a, b).
    public mutating func uniform(_ a: Float, _ b: Float) -> Float {
        let v = a + (b - a) * uniform()
        return v < b ? v : a  // rounding can hit b when |a| >> |b - a|
    }

    /// Standard normal by Box–Muller (computed in Double); values come in pairs, the second is kept.
    public mutating func normal() -> Float {
        if let s = spareNormal {
            spareNormal = nil
            return s
        }
        let u1 = (Double(nextUInt32() >> 8) + 1) * 0x1p-24  // (0, 1]: log is finite
        let u2 = Double(nextUInt32() >> 8) * 0x1p-24
        let r = (-2 * Foundation.log(u1)).squareRoot()
        spareNormal = Float(r * Foundation.sin(2 * Double.pi * u2))
        return Float(r * Foundation.cos(2 * Double.pi * u2))
    }

    /// Normal with the given mean and standard deviation.
    public mutating func normal(mean: Float, standardDeviation: Float) -> Float {
        mean + standardDeviation * normal()
    }

    /// Unbiased integer in 0..<n (Lemire's multiply-and-reject); n must be positive.
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "int(below:) needs a positive bound, got \(n)")
        if n <= Int(UInt32.max) {
            let bound = UInt32(n)
            var m = UInt64(nextUInt32()) * UInt64(bound)
            if UInt32(truncatingIfNeeded: m) < bound {
                let threshold = (0 &- bound) % bound
                while UInt32(truncatingIfNeeded: m) < threshold {
                    m = UInt64(nextUInt32()) * UInt64(bound)
                }
            }
            return Int(m >> 32)
        }
        let bound = UInt64(n)
        var m = nextUInt64().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = nextUInt64().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// True with probability p.
    public mutating func bernoulli(_ p: Float) -> Bool { uniform() < p }

    /// A uniformly random permutation of 0..<n (Fisher–Yates, swapping i with j ∈ 0...i from the top).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }

    /// Shuffles `array` in place (Fisher–Yates).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, int(below: i + 1))
        }
    }

    /// A tensor of independent uniforms in [a, b).
    public mutating func uniformTensor(_ shape: [Int], _ a: Float = 0, _ b: Float = 1) -> Tensor {
        Tensor(shape: shape) { out in for i in 0..<out.count { out[i] = uniform(a, b) } }
    }

    /// A tensor of independent normals.
    public mutating func normalTensor(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1) -> Tensor {
        Tensor(shape: shape) { out in for i in 0..<out.count { out[i] = normal(mean: mean, standardDeviation: standardDeviation) } }
    }
}
