import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining

/// A ResNet stage with a downsampling block (`residual { … } shortcut { conv 1x1 stride 2; batchnorm }`): the
/// shortcut's conv and the body's last conv write one residual stream, so they share one permutation symbol,
/// and a planted permutation of every channel is recovered exactly by both matchings.
final class ShortcutMergeTests: XCTestCase {
    /// 8×8 digits → 7×7 (an odd grid, so the stride-2 layers sample it symmetrically) → 4×4.
    static let body = """
        conv 2x2 -> 4 bias false
        batchnorm
        relu
        residual {
          conv 3x3 -> 4 pad 1 bias false
          batchnorm
          relu
          conv 3x3 -> 4 pad 1 bias false
          batchnorm
        }
        relu
        residual {
          conv 3x3 -> 8 stride 2 pad 1 bias false
          batchnorm
          relu
          conv 3x3 -> 8 pad 1 bias false
          batchnorm
        } shortcut {
          conv 1x1 -> 8 stride 2 bias false
          batchnorm
        }
        relu
        global avgpool
        linear -> 10
        """

    func testShortcutJoinsTheBodysSymbolAndAPlantedPermutationIsRecovered() throws {
        let spec = try networkSpec(Self.body)
        let names = spec.flattenedLayers.map(\.name)
        XCTAssertTrue(names.contains("conv6"), "the shortcut's conv is a layer of its own: \(names)")
        let symbols = PermutationSymbols(spec)
        // Stream 1 (conv1, conv3), the first body's inner channels, stream 2 (conv5 and the shortcut conv6),
        // the second body's inner channels.
        XCTAssertEqual(symbols.symbols.map { Set($0.producers) }, [["conv1", "conv3"], ["conv2"], ["conv4"], ["conv5", "conv6"]])
        let axes = symbols.axes(spec)
        XCTAssertEqual(axes["conv6.weight"]?.symbols, [3, 0, nil], "the shortcut maps stream 1 to stream 2")
        let a = try Network(spec: spec, state: aliveState(spec, seed: 71))
        for trial in 0..<2 {
            let p = randomPermutation(symbols, seed: UInt64(trial), name: "test/planted-shortcut")
            let b = try Network(spec: spec, state: p.apply(to: a.state, spec: spec, symbols: symbols))
            XCTAssertGreaterThan(maxStateDifference(a.state, b.state).difference, 1e-3)
            // The function is unchanged by the permutation (so the shortcut was permuted consistently).
            let x = try digitBatches(.test, count: 50, batch: 50)[0]
            let ya = try a.predict(x), yb = try b.predict(x)
            XCTAssertLessThan(zip(ya.scalars, yb.scalars).map { abs($0 - $1) }.max()!, 1e-4)
            try assertRecovers(p, a: a, b: b, symbols: symbols, trial: trial)
        }
    }

    /// g·θ through both branches: a network projected onto E for the flip (hidden regular channels) is
    /// exactly invariant, shortcut included: on the 7×7 grid both stride-2 layers have (size + 2·pad − k) even.
    func testProjectedShortcutNetworkIsInvariant() throws {
        let spec = try networkSpec(Self.body)
        let group = try GroupSpec.mirror(.horizontal).finiteGroup(forInput: spec.inputShape)
        for hidden in [ChannelAction.trivial, .regular] {
            let projector = try ReynoldsProjector(group: group, spec: spec, hidden: hidden)
            let net = try Network(spec: spec, state: projector.project(aliveState(spec, seed: 5), includeBuffers: true))
            XCTAssertEqual(projector.distance(net.state).absolute, 0, accuracy: 1e-6)
            let rep = try NetworkRepresentation(group: group, spec: spec, hidden: hidden)
            let x = try digitBatches(.test, count: 40, batch: 40)[0]
            let y = try net.predict(x), gy = try net.predict(x.acted(by: rep.inputAction, element: 1))
            XCTAssertLessThan(zip(y.scalars, gy.scalars).map { abs($0 - $1) }.max()!, 1e-4, "\(hidden)")
        }
    }
}
