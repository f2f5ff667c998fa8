import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining

/// The group and merge laws over every layer kind in `LayerKind.definitions`, each in a network built from its
/// `lawExample`: Π_E is a projection (P² = P) and self-adjoint, dim E counted by Burnside equals the number of
/// orbits Π_E averages over, a network in E is exactly flip-invariant, and a planted permutation of every
/// channel leaves the function unchanged and is recovered by weight matching. A kind added to the table is
/// tested here without new code.
final class LayerKindLawTests: XCTestCase {
    func network(for kind: any LayerDefinition.Type) throws -> NetworkSpec {
        let probe = try networkSpec("conv 2x2 -> 8 bias false\n" + kind.lawExample + "\nlinear -> 10")
        let imageOut = probe.flattenedLayers.dropLast().last?.outputShape.count == 3
        return imageOut ? try networkSpec("conv 2x2 -> 8 bias false\n" + kind.lawExample + "\nglobal avgpool\nlinear -> 10") : probe
    }

    func testLawsHoldForEveryLayerKind() throws {
        let group = try GroupSpec.mirror(.horizontal).finiteGroup(forInput: [1, 8, 8])
        for kind in LayerKind.definitions {
            let spec = try network(for: kind)
            let uses = spec.flattenedLayers.filter { type(of: $0.kind.definition) == kind }
            XCTAssertFalse(uses.isEmpty, "\(kind) example builds no layer of its kind")
            for hidden in [ChannelAction.trivial, .regular] {
                let what = "\(kind) with \(hidden) channels"
                let projector = try ReynoldsProjector(group: group, spec: spec, hidden: hidden)
                let dimensions = try EquivariantDimensions(group: group, spec: spec, hidden: hidden)
                let theta = try aliveState(spec, seed: 3), phi = try aliveState(spec, seed: 4)
                let p = projector.project(theta, includeBuffers: true)
                XCTAssertLessThan(maxStateDifference(projector.project(p, includeBuffers: true), p).difference, 1e-6, "P² = P, \(what)")
                let pPhi = projector.project(phi, includeBuffers: true)
                var left = 0.0, right = 0.0
                for k in theta.keys {
                    left += zip(p[k]!.scalars, phi[k]!.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
                    right += zip(theta[k]!.scalars, pPhi[k]!.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
                }
                XCTAssertEqual(left, right, accuracy: 1e-3 * max(1, abs(left)), "⟨Pθ, φ⟩ = ⟨θ, Pφ⟩, \(what)")
                for (key, count) in dimensions.tensors {
                    XCTAssertEqual(count.equivariant, projector.partitions[key]?.orbitCount, "dim E of \(key), \(what)")
                }
                let net = try Network(spec: spec, state: p)
                let rep = try NetworkRepresentation(group: group, spec: spec, hidden: hidden)
                let x = try digitBatches(.test, count: 40, batch: 40)[0]
                let y = try net.predict(x), gy = try net.predict(x.acted(by: rep.inputAction, element: 1))
                XCTAssertLessThan(zip(y.scalars, gy.scalars).map { abs($0 - $1) }.max()!, 1e-4, "f(g·x) = f(x) in E, \(what)")
            }
            let symbols = PermutationSymbols(spec)
            let a = try Network(spec: spec, state: aliveState(spec, seed: 9))
            let planted = randomPermutation(symbols, seed: 2, name: "test/law-\(kind)")
            let b = try Network(spec: spec, state: planted.apply(to: a.state, spec: spec, symbols: symbols))
            let x = try digitBatches(.test, count: 40, batch: 40)[0]
            let ya = try a.predict(x), yb = try b.predict(x)
            XCTAssertLessThan(zip(ya.scalars, yb.scalars).map { abs($0 - $1) }.max()!, 1e-4, "P(θ) computes f_θ, \(kind)")
            var rng = RandomStream(seed: 1, name: "match/order/test")
            let (found, _) = try Matching.weights(a: a.state, b: b.state, spec: spec, symbols: symbols, rng: &rng)
            XCTAssertEqual(found.perms, planted.perms.map(inversePermutation), "planted permutation recovered, \(kind)")
        }
    }
}
