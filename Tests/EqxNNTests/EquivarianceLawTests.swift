import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// The two laws that tie weights to functions:
/// - θ ∈ E ⇒ every layer is equivariant, Φ_i(g·x) = ρ_i(g) Φ_i(x), and the logits are invariant;
/// - for every θ, the transformed network computes the transformed function. With g·θ defined as
///   A_i ↦ ρ_{i+1}(g) A_i ρ_i(g)⁻¹ layer by layer, induction over the layers gives
///   Φ_i^{g·θ}(x) = ρ_i(g) Φ_i^θ(ρ_0(g)⁻¹ x), so with invariant logits f_{g·θ}(x) = f_θ(g⁻¹·x).
final class EquivarianceLawTests: XCTestCase {
    /// Float32 rounding through ≤ 16 layers evaluated in different summation orders.
    let tolerance = 2e-5

    func testProjectedNetworksAreEquivariantInEveryLayer() throws {
        for c in symmetryCases() {
            let g = try group(c.group, c.spec)
            let rep = try NetworkRepresentation(group: g, spec: c.spec, hidden: c.hidden)
            let projector = try ReynoldsProjector(representation: rep)
            let theta = randomState(c.spec, "equivariance/\(c)")
            let x = randomInput(c.spec, batch: 4, "equivariance/\(c)")

            let projected = try Network(spec: c.spec, state: projector.project(theta, includeBuffers: true))
            let e = try equivarianceError(projected, rep, x)
            XCTAssertLessThan(e.layers, tolerance, "\(c): θ ∈ E but layer \(e.worstLayer) is not equivariant")
            XCTAssertLessThan(e.logits, tolerance, "\(c): θ ∈ E but f(g·x) ≠ f(x)")

            if c.randomFunctionIsNotInvariant {
                let random = try equivarianceError(Network(spec: c.spec, state: theta), rep, x)
                XCTAssertGreaterThan(random.logits, 1e-3, "\(c): a random θ should not give invariant logits")
            }
        }
    }

    /// Training-mode batch norm normalises with statistics over (N, H, W), which every ρ(g) only
    /// permutes: a projected network is equivariant there too (networks with dropout excluded, whose
    /// masks are not).
    func testBatchNormInTrainingModeIsEquivariant() throws {
        for c in symmetryCases() where !c.spec.flattenedLayers.contains(where: { $0.kind.name == "dropout" }) {
            let g = try group(c.group, c.spec)
            let rep = try NetworkRepresentation(group: g, spec: c.spec, hidden: c.hidden)
            let theta = try ReynoldsProjector(representation: rep).project(randomState(c.spec, "bn-train/\(c)"), includeBuffers: true)
            let x = randomInput(c.spec, batch: 5, "bn-train/\(c)")
            let options = ForwardOptions(training: true, gradients: false)
            let fx = try Network(spec: c.spec, state: theta).forward(x, options: options).output.value
            for e in testElements(g) {
                let gx = try x.acted(by: rep.inputAction, element: e)
                let fgx = try Network(spec: c.spec, state: theta).forward(gx, options: options).output.value
                XCTAssertLessThan(relativeError(fgx, fx), tolerance, "\(c): training-mode f(\(g.name(of: e))·x) ≠ f(x)")
            }
        }
    }

    func testTransformedNetworkComputesTheTransformedFunction() throws {
        for c in symmetryCases() {
            let g = try group(c.group, c.spec)
            let rep = try NetworkRepresentation(group: g, spec: c.spec, hidden: c.hidden)
            let theta = randomState(c.spec, "transformed/\(c)")
            let x = randomInput(c.spec, batch: 4, "transformed/\(c)")
            let network = try Network(spec: c.spec, state: theta)
            let layers = c.spec.flattenedLayers
            for e in testElements(g) {
                let transformed = try Network(spec: c.spec, state: rep.transform(theta, element: e))
                let lhs = try activations(transformed, x)
                let pulledBack = try x.acted(by: rep.inputAction, element: g.inverse(e))
                let rhs = try activations(network, pulledBack)
                for (i, layer) in layers.enumerated() {
                    // Φ_i^{g·θ}(x) = ρ_i(g) Φ_i^θ(g⁻¹·x).
                    let err = relativeError(lhs[layer.name]!, try act(rep, e, layer: i, on: rhs[layer.name]!))
                    XCTAssertLessThan(err, tolerance, "\(c): layer \(layer.name) of \(g.name(of: e))·θ")
                }
                XCTAssertLessThan(relativeError(lhs[layers.last!.name]!, rhs[layers.last!.name]!), tolerance,
                                  "\(c): f_{gθ}(x) ≠ f_θ(g⁻¹x) for g = \(g.name(of: e))")
            }
        }
    }

    /// The inverse matters: for a quarter turn r, f_{r·θ}(x) = f_θ(r⁻¹·x) ≠ f_θ(r·x).
    func testTransformedNetworkUsesTheInverseElement() throws {
        let spec = pooledNetwork(width: 3)
        let rep = try NetworkRepresentation(group: .rotations, spec: spec, hidden: .trivial)
        let theta = randomState(spec, "inverse")
        let x = randomInput(spec, batch: 4, "inverse")
        let r = 1
        let rotated = try Network(spec: spec, state: rep.transform(theta, element: r)).forward(x, options: .evaluation).output.value
        let network = try Network(spec: spec, state: theta)
        let byInverse = try network.forward(x.acted(by: rep.inputAction, element: 3), options: .evaluation).output.value
        let byElement = try network.forward(x.acted(by: rep.inputAction, element: r), options: .evaluation).output.value
        XCTAssertLessThan(relativeError(rotated, byInverse), tolerance)
        XCTAssertGreaterThan(relativeError(rotated, byElement), 1e-2)
    }

    /// For the flip group, g·θ with trivial channels is "mirror every kernel" (design brief §1).
    func testMirrorActsByMirroringEveryKernel() throws {
        let spec = pooledNetwork(width: 3)
        let rep = try NetworkRepresentation(group: .horizontalMirror, spec: spec, hidden: .trivial)
        let theta = randomState(spec, "mirror-kernels")
        let m = try rep.transform(theta, element: 1)
        for key in ["conv1.weight", "conv2.weight"] {
            let w = theta[key]!, mw = m[key]!
            XCTAssertEqual(mw.shape, w.shape, "g·θ must keep the shape of \(key)")
            guard mw.shape == w.shape else { continue }
            let (o, i, k) = (w.shape[0], w.shape[1], w.shape[2])
            for a in 0..<o { for b in 0..<i { for y in 0..<k { for x in 0..<k {
                XCTAssertEqual(mw[a, b, y, x], w[a, b, y, k - 1 - x], key)
            } } } }
        }
        for key in ["conv1.bias", "bn.weight", "bn.running_var", "fc.weight", "fc.bias"] {
            XCTAssertEqual(m[key], theta[key], "\(key) is not moved by the mirror with trivial channels")
        }
    }
}
