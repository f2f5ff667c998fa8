import XCTest
import EqxData
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// `gradient_identity` against a naive reference: ∇R_aug as the mean of the nominal gradients on each of
/// the |G| transformed copies of the whole data set, and Π_E as the group average (1/|G|) Σ_g g·∇R over
/// the parameter permutations (not the projector's orbit partition).
final class GradientIdentityTests: XCTestCase {
    func meanGradient(_ network: Network, _ x: Tensor, _ labels: [Int]) throws -> [String: [Double]] {
        let result = try network.forward(x, options: ForwardOptions(training: false, gradients: true))
        try crossEntropy(result.output, labels: labels).backward()
        var out: [String: [Double]] = [:]
        for k in network.state.parameterKeys { out[k] = result.parameters[k]!.grad!.scalars.map(Double.init) }
        return out
    }

    /// (‖∇R_aug − Π_E∇R‖, ‖∇R − Π_E∇R‖) computed naively.
    func reference(_ network: Network, _ groupSpec: GroupSpec, _ data: Dataset) throws -> (Double, Double) {
        let g = try group(groupSpec, network.spec)
        let rep = try NetworkRepresentation(group: g, spec: network.spec, hidden: .trivial)
        let x = try data.allInputs
        let nominal = try meanGradient(network, x, data.labels)
        var augmented = nominal.mapValues { $0.map { _ in 0.0 } }, projected = augmented
        for e in g.elements {
            let moved = try meanGradient(network, x.acted(by: rep.inputAction, element: e), data.labels)
            let perms = try rep.permutations(element: e)
            for (k, v) in moved {
                let p = perms[k]
                for j in v.indices {
                    augmented[k]![j] += v[j] / Double(g.order)
                    projected[k]![j] += nominal[k]![p?[j] ?? j] / Double(g.order)
                }
            }
        }
        var d = 0.0, off = 0.0
        for (k, a) in augmented {
            for j in a.indices {
                d += (a[j] - projected[k]![j]) * (a[j] - projected[k]![j])
                off += (nominal[k]![j] - projected[k]![j]) * (nominal[k]![j] - projected[k]![j])
            }
        }
        return (d.squareRoot(), off.squareRoot())
    }

    func testIdentityHoldsInEAndFailsOffE() throws {
        let spec = smallCNN()
        let data = try toyData("gradient-identity", count: 300)   // 3 chunks of 128 samples, the last one ragged
        let g = GroupSpec.rotations(4)
        let fg = try group(g, spec)
        let projector = try ReynoldsProjector(group: fg, spec: spec, hidden: .trivial)
        let offE = freshNetwork(spec, "gradient-identity")
        let inE = try Network(spec: spec, state: projector.project(offE.state, includeBuffers: true))

        let atE = try gradientIdentity(inE, group: fg, hidden: .trivial, on: data, loss: .crossEntropy)
        let (refDiscrepancy, refOff) = try reference(inE, g, data)
        XCTAssertLessThan(atE.discrepancy, 1e-6, "∇R_aug ≠ Π_E∇R at a point of E")
        XCTAssertLessThan(refDiscrepancy, 1e-6, "the naive reference disagrees with the theorem")
        XCTAssertGreaterThan(atE.offE, 1e-3, "the nominal gradient already lies in E: the test would be vacuous")
        XCTAssertEqual(atE.offE, refOff, accuracy: 1e-4 * refOff)
        XCTAssertGreaterThan(atE.nominalNorm, 1e-2)

        let away = try gradientIdentity(offE, group: fg, hidden: .trivial, on: data, loss: .crossEntropy)
        let (refAway, refAwayOff) = try reference(offE, g, data)
        XCTAssertGreaterThan(away.discrepancy, 1e-3, "off E the identity must fail")
        XCTAssertEqual(away.discrepancy, refAway, accuracy: 1e-4 * refAway)
        XCTAssertEqual(away.offE, refAwayOff, accuracy: 1e-4 * refAwayOff)
    }
}
