import XCTest
@testable import EqxIR
@testable import EqxMerge
import EqxGroups
import EqxNN
import EqxTensor

/// P(θ) computes the same function as θ for a random channel permutation of every symbol: the symbols
/// and the tensor axes they act on are consistent. Tolerance: max |Δ logit| ≤ 1e-5 · max(1, max |logit|)
/// (eval mode, so batch norm uses permuted running statistics).
final class PermutationInvarianceTests: XCTestCase {
    static let networks: [(String, String)] = [
        ("batch-norm CNN", PermutationSymbolTests.plainCNN),
        ("residual", """
            conv 3x3 -> 4 pad 1
            batchnorm
            relu
            residual {
              conv 3x3 -> 6 pad 1
              batchnorm
              relu
              conv 3x3 -> 4 pad 1
              batchnorm
            }
            relu
            residual {
              conv 3x3 -> 5 pad 1
              relu
              conv 3x3 -> 4 pad 1
            }
            maxpool 2
            global avgpool
            linear -> 10
            """),
        ("flatten to linear", """
            conv 3x3 -> 3 pad 1
            batchnorm
            relu
            maxpool 2
            flatten
            linear -> 12
            batchnorm
            relu
            linear -> 7
            tanh
            linear -> 10
            """),
        ("dense", """
            dense -> 4
            relu
            dense -> 3
            batchnorm
            relu
            flatten
            linear -> 10
            """),
        ("layer norm", """
            conv 3x3 -> 4 pad 1
            layernorm
            relu
            conv 3x3 -> 5 pad 1
            layernorm over spatial
            relu
            avgpool 2
            flatten
            linear -> 6
            layernorm
            relu
            linear -> 10
            """),
        ("residual on the input", """
            residual {
              conv 3x3 -> 4 pad 1
              relu
              conv 3x3 -> 1 pad 1
            }
            conv 3x3 -> 4 pad 1
            relu
            global avgpool
            linear -> 10
            """),
    ]

    func testRandomPermutationLeavesTheFunctionUnchanged() throws {
        let x = try digitBatches(.test, count: 64, batch: 64)[0]
        for (index, (label, body)) in Self.networks.enumerated() {
            let spec = try networkSpec(body)
            let symbols = PermutationSymbols(spec)
            let state = randomState(spec, seed: UInt64(100 + index))
            let p = randomPermutation(symbols, seed: 7, name: "test/\(label)")
            XCTAssertFalse(p == ChannelPermutation.identity(symbols), label)
            let permuted = try p.apply(to: state, spec: spec, symbols: symbols)
            // The permutation really moves weights...
            XCTAssertGreaterThan(maxStateDifference(state, permuted).difference, 1e-3, label)
            // ...but not the function.
            let f = try logits(spec, state, x), g = try logits(spec, permuted, x)
            XCTAssertGreaterThan(maxAbs(f), 1e-3, label)
            XCTAssertLessThanOrEqual(maxAbsDifference(f, g), 1e-5 * max(1, maxAbs(f)), label)
            // Undoing it with the inverse permutations restores every tensor exactly.
            let inverse = ChannelPermutation(perms: p.perms.map(inversePermutation))
            XCTAssertEqual(try inverse.apply(to: permuted, spec: spec, symbols: symbols), state, label)
        }
    }

    /// The check above can fail: permuting one producer's outputs without its consumers changes the function.
    func testInconsistentPermutationChangesTheFunction() throws {
        let spec = try networkSpec(PermutationSymbolTests.plainCNN)
        let symbols = PermutationSymbols(spec)
        let state = randomState(spec, seed: 3)
        let p = randomPermutation(symbols, seed: 7, name: "test/inconsistent")
        let permuted = try p.apply(to: state, spec: spec, symbols: symbols)
        var broken = permuted
        broken["conv2.weight"] = state["conv2.weight"]!
        let x = try digitBatches(.test, count: 32, batch: 32)[0]
        let f = try logits(spec, state, x), g = try logits(spec, broken, x)
        XCTAssertGreaterThan(maxAbsDifference(f, g), 1e-3)
    }
}

