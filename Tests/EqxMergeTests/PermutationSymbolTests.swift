import XCTest
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor

/// Permutation symbols derived from the IR (design brief §2): where they are created, carried, unified,
/// expanded and frozen.
final class PermutationSymbolTests: XCTestCase {
    static let plainCNN = """
        conv 3x3 -> 4 pad 1
        batchnorm
        relu
        conv 3x3 -> 6 pad 1
        batchnorm
        relu
        maxpool 2
        conv 3x3 -> 8 pad 1
        batchnorm
        relu
        global avgpool
        linear -> 10
        """

    func testPlainCNNHasOneSymbolPerHiddenConvAndNoneForLogits() throws {
        let spec = try networkSpec(Self.plainCNN)
        let symbols = PermutationSymbols(spec)
        XCTAssertEqual(symbols.symbols.map(\.producers), [["conv1"], ["conv2"], ["conv3"]])
        XCTAssertEqual(symbols.symbols.map(\.channels), [4, 6, 8])
        XCTAssertEqual(symbols.symbols.map(\.id), [0, 1, 2])
        // Matched where the symbol is last carried: after ReLU, after pooling, after global pooling.
        XCTAssertEqual(symbols.symbols.map(\.matchPoint), ["relu1", "maxpool1", "global_avgpool1"])
        // Carried through batch norm, ReLU and pooling.
        for (name, s) in [("bn1", 0), ("relu1", 0), ("bn2", 1), ("relu2", 1), ("maxpool1", 1), ("bn3", 2),
                          ("relu3", 2), ("global_avgpool1", 2)] {
            XCTAssertEqual(symbols.outputSymbol[name], s, name)
            XCTAssertEqual(symbols.inputSymbol[name], s, name)
        }
        XCTAssertEqual(symbols.inputSymbol["conv2"], 0)
        XCTAssertEqual(symbols.inputSymbol["conv3"], 1)
        // The input and the logits are never permuted.
        XCTAssertNil(symbols.inputSymbol["conv1"])
        XCTAssertNil(symbols.outputSymbol["linear1"])
        XCTAssertEqual(symbols.inputSymbol["linear1"], 2)
        // Tensor axes, from each kind's tensor axes: conv weights [out, in, kh·kw], the classifier
        // [out, out positions, in, in positions] = [10, 1, 8, 1], a per-channel vector [C].
        let axes = symbols.axes(spec)
        XCTAssertEqual(axes["conv1.weight"]?.shape, [4, 1, 9])
        XCTAssertEqual(axes["conv1.weight"]?.symbols, [0, nil, nil])
        XCTAssertEqual(axes["conv2.weight"]?.symbols, [1, 0, nil])
        XCTAssertEqual(axes["bn2.running_var"]?.symbols, [1])
        XCTAssertEqual(axes["linear1.weight"]?.shape, [10, 1, 8, 1])
        XCTAssertEqual(axes["linear1.weight"]?.symbols, [nil, nil, 2, nil])
        XCTAssertEqual(axes["linear1.bias"]?.symbols, [nil])
    }

    func testResidualBlockUnifiesShortcutAndBody() throws {
        let spec = try networkSpec("""
            conv 3x3 -> 4 pad 1
            relu
            residual {
              conv 3x3 -> 6 pad 1
              batchnorm
              relu
              conv 3x3 -> 4 pad 1
            }
            relu
            residual {
              conv 3x3 -> 5 pad 1
              relu
              conv 3x3 -> 4 pad 1
            }
            global avgpool
            linear -> 10
            """)
        let symbols = PermutationSymbols(spec)
        // conv1, the last conv of each body and both shortcuts share one symbol; the inner convs have their own.
        XCTAssertEqual(symbols.symbols.map(\.producers), [["conv1", "conv3", "conv5"], ["conv2"], ["conv4"]])
        XCTAssertEqual(symbols.symbols.map(\.channels), [4, 6, 5])
        XCTAssertEqual(symbols.symbols[0].matchPoint, "global_avgpool1")
        XCTAssertEqual(symbols.symbols[0].name, "conv1+2")
        for name in ["conv1", "relu1", "residual1", "conv3", "relu3", "residual2", "conv5", "global_avgpool1"] {
            XCTAssertEqual(symbols.outputSymbol[name], 0, name)
        }
        XCTAssertEqual(symbols.inputSymbol["conv2"], 0)
        XCTAssertEqual(symbols.inputSymbol["conv3"], 1)
        XCTAssertEqual(symbols.inputSymbol["conv4"], 0)
        XCTAssertEqual(symbols.inputSymbol["linear1"], 0)
        XCTAssertNil(symbols.outputSymbol["linear1"])
    }

    func testFlattenToLinearExpandsTheChannelSymbolOverPositions() throws {
        let spec = try networkSpec("""
            conv 3x3 -> 3 pad 1
            relu
            maxpool 2
            flatten
            linear -> 12
            relu
            linear -> 10
            """)
        let symbols = PermutationSymbols(spec)
        XCTAssertEqual(symbols.symbols.map(\.producers), [["conv1"], ["linear1"]])
        XCTAssertEqual(symbols.inputSymbol["linear1"], 0)
        XCTAssertEqual(symbols.outputSymbol["flatten1"], 0)
        let axes = symbols.axes(spec)
        XCTAssertEqual(axes["linear1.weight"]?.shape, [12, 1, 3, 16])
        XCTAssertEqual(axes["linear1.weight"]?.symbols, [1, nil, 0, nil])
        XCTAssertEqual(axes["linear2.weight"]?.shape, [10, 1, 12, 1])

        // Applying a permutation gathers whole blocks of 16 positions per channel: naive reference.
        let state = randomState(spec, seed: 11)
        let p = ChannelPermutation(perms: [[2, 0, 1], Array((0..<12).reversed())])
        let permuted = try p.apply(to: state, spec: spec, symbols: symbols)
        let w = state["linear1.weight"]!.scalars, pw = permuted["linear1.weight"]!.scalars
        for o in 0..<12 {
            for c in 0..<3 {
                for k in 0..<16 {
                    XCTAssertEqual(pw[o * 48 + c * 16 + k], w[p.perms[1][o] * 48 + p.perms[0][c] * 16 + k])
                }
            }
        }
        let w2 = state["linear2.weight"]!.scalars, pw2 = permuted["linear2.weight"]!.scalars
        for o in 0..<10 { for i in 0..<12 { XCTAssertEqual(pw2[o * 12 + i], w2[o * 12 + p.perms[1][i]]) } }
        XCTAssertEqual(permuted["linear2.bias"], state["linear2.bias"])
    }

    func testResidualOnTheInputFreezesItsSymbol() throws {
        let spec = try networkSpec("""
            residual {
              conv 3x3 -> 4 pad 1
              relu
              conv 3x3 -> 1 pad 1
            }
            conv 3x3 -> 4 pad 1
            relu
            global avgpool
            linear -> 10
            """)
        let symbols = PermutationSymbols(spec)
        // conv2 writes into the input stream, which is never permuted.
        XCTAssertEqual(symbols.symbols.map(\.producers), [["conv1"], ["conv3"]])
        XCTAssertNil(symbols.outputSymbol["conv2"])
        XCTAssertNil(symbols.outputSymbol["residual1"])
        XCTAssertNil(symbols.inputSymbol["conv3"])
        XCTAssertEqual(symbols.inputSymbol["conv2"], 0)
        let axes = symbols.axes(spec)
        XCTAssertEqual(axes["conv2.weight"]?.symbols, [nil, 0, nil])
        XCTAssertEqual(axes["conv2.bias"]?.symbols, [nil])
    }

    func testDenseLayersCarryTheirOwnSymbols() throws {
        let spec = try networkSpec("""
            dense -> 4
            relu
            dense -> 3
            relu
            flatten
            linear -> 10
            """)
        let symbols = PermutationSymbols(spec)
        XCTAssertEqual(symbols.symbols.map(\.producers), [["dense1"], ["dense2"]])
        let axes = symbols.axes(spec)
        XCTAssertEqual(axes["dense2.weight"]?.shape, [3, 64, 4, 64])
        XCTAssertEqual(axes["dense2.weight"]?.symbols, [1, nil, 0, nil])
        XCTAssertEqual(axes["dense2.bias"]?.shape, [3, 64])
        XCTAssertEqual(axes["linear1.weight"]?.shape, [10, 1, 3, 64])
        XCTAssertEqual(axes["linear1.weight"]?.symbols, [nil, nil, 1, nil])
    }
}
