/// Draws derived from raw 64-bit words with fixed formulas, so a seeded generator gives the same
/// results on every machine and Swift version (unlike `Double.random(in:using:)`, whose
/// algorithm is not specified).
enum UniformDraws {
    /// A double in [0, 1) from the top 53 bits of one word.
    static func unit<R: RandomNumberGenerator>(_ rng: inout R) -> Double {
        Double(rng.next() >> 11) * 0x1p-53
    }

    /// An integer in `0..<bound`, unbiased (Lemire's multiply-and-reject on full 64-bit words).
    static func index<R: RandomNumberGenerator>(below bound: Int, _ rng: inout R) -> Int {
        precondition(bound > 0, "bound must be positive")
        let n = UInt64(bound)
        let threshold = (0 &- n) % n
        while true {
            let (high, low) = rng.next().multipliedFullWidth(by: n)
            if low >= threshold { return Int(high) }
        }
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates, from the last position down).
    static func permutation<R: RandomNumberGenerator>(_ count: Int, _ rng: inout R) -> [Int] {
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, index(below: i + 1, &rng))
            i -= 1
        }
        return order
    }
}
