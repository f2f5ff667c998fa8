import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// Π_E is the orthogonal projection onto the fixed points of θ ↦ g·θ: idempotent, self-adjoint, its
/// image fixed by every element, and equal to the explicit Reynolds average (1/|G|) Σ_g g·θ.
final class ReynoldsProjectionTests: XCTestCase {
    func testProjectionIsIdempotentExactly() throws {
        for c in symmetryCases() {
            let projector = try ReynoldsProjector(group: group(c.group, c.spec), spec: c.spec, hidden: c.hidden)
            let theta = randomState(c.spec, "idempotent/\(c)")
            let once = projector.project(theta, includeBuffers: true)
            let twice = projector.project(once, includeBuffers: true)
            // Orbit means of equal Float values are recomputed exactly in Double.
            XCTAssertEqual(once, twice, "\(c): Π_E² ≠ Π_E")
            XCTAssertEqual(projector.distance(once).absolute, 0, "\(c): Π_E θ is not at distance 0 from E")
            if c.randomBreaksSymmetry {
                XCTAssertGreaterThan(projector.distance(theta).relative, 0.05, "\(c): a random θ should be far from E")
            }
            // Buffers are only projected when asked.
            let parametersOnly = projector.project(theta)
            for k in theta.bufferKeys { XCTAssertEqual(parametersOnly[k], theta[k], "\(c): buffer \(k) projected") }
        }
    }

    func testProjectionIsSelfAdjoint() throws {
        for c in symmetryCases() {
            let projector = try ReynoldsProjector(group: group(c.group, c.spec), spec: c.spec, hidden: c.hidden)
            let a = randomState(c.spec, "adjoint-a/\(c)"), b = randomState(c.spec, "adjoint-b/\(c)")
            let pa = projector.project(a, includeBuffers: true), pb = projector.project(b, includeBuffers: true)
            let keys = a.keys
            let lhs = try innerProduct(pa, b, keys: keys), rhs = try innerProduct(a, pb, keys: keys)
            let scale = (try innerProduct(a, a, keys: keys) * innerProduct(b, b, keys: keys)).squareRoot()
            // Float rounding of the projected entries only.
            XCTAssertLessThan(abs(lhs - rhs) / scale, 1e-6, "\(c): ⟨Π_E a, b⟩ = \(lhs) but ⟨a, Π_E b⟩ = \(rhs)")
            // Orthogonality: θ − Π_E θ ⊥ E.
            let residual = try difference(a, pa)
            XCTAssertLessThan(abs(try innerProduct(residual, pb, keys: keys)) / scale, 1e-6, "\(c): θ − Π_E θ is not orthogonal to E")
        }
    }

    func testEveryElementFixesTheProjection() throws {
        for c in symmetryCases() {
            let g = try group(c.group, c.spec)
            let rep = try NetworkRepresentation(group: g, spec: c.spec, hidden: c.hidden)
            let projector = try ReynoldsProjector(representation: rep)
            let theta = randomState(c.spec, "fixed/\(c)")
            let p = projector.project(theta, includeBuffers: true)
            var moved = false
            for e in testElements(g) {
                // A gather inside orbits of equal values: exact.
                XCTAssertEqual(try rep.transform(p, element: e), p, "\(c): \(g.name(of: e))·Π_E θ ≠ Π_E θ")
                if try rep.transform(theta, element: e) != theta { moved = true }
            }
            if c.randomBreaksSymmetry { XCTAssertTrue(moved, "\(c): no element moves a random θ") }
        }
    }

    func testProjectionEqualsTheGroupAverage() throws {
        for c in symmetryCases() {
            let g = try group(c.group, c.spec)
            let rep = try NetworkRepresentation(group: g, spec: c.spec, hidden: c.hidden)
            let projector = try ReynoldsProjector(representation: rep)
            let theta = randomState(c.spec, "average/\(c)")
            let average = try StateDict.average(g.elements.map { try rep.transform(theta, element: $0) })
            // The average is accumulated in Float over |G| ≤ 24 terms.
            XCTAssertLessThan(relativeError(average, projector.project(theta, includeBuffers: true)), 1e-5,
                              "\(c): orbit means differ from (1/|G|) Σ_g g·θ")
        }
    }

    /// g·θ and g·x are gathers that keep every tensor's shape (so g·θ loads as a network).
    func testActionsKeepShapes() throws {
        for c in symmetryCases() {
            let g = try group(c.group, c.spec)
            let rep = try NetworkRepresentation(group: g, spec: c.spec, hidden: c.hidden)
            let theta = randomState(c.spec, "shapes/\(c)")
            let e = g.generators.first ?? g.identity
            let moved = try rep.transform(theta, element: e)
            for k in theta.keys { XCTAssertEqual(moved[k]!.shape, theta[k]!.shape, "\(c): \(k)") }
            XCTAssertNoThrow(try Network(spec: c.spec, state: moved), "\(c)")
            let x = randomInput(c.spec, batch: 2, "shapes/\(c)")
            XCTAssertEqual(try x.acted(by: rep.inputAction, element: e).shape, x.shape, "\(c)")
        }
    }

    /// g ↦ (θ ↦ g·θ) is a homomorphism: (g∘h)·θ = g·(h·θ).
    func testTransformIsAnAction() throws {
        for c in symmetryCases() {
            let g = try group(c.group, c.spec)
            let rep = try NetworkRepresentation(group: g, spec: c.spec, hidden: c.hidden)
            let theta = randomState(c.spec, "action/\(c)")
            XCTAssertEqual(try rep.transform(theta, element: g.identity), theta)
            for a in g.generators {
                for b in testElements(g).prefix(8) {
                    let lhs = try rep.transform(theta, element: g.compose(a, b))
                    let rhs = try rep.transform(try rep.transform(theta, element: b), element: a)
                    XCTAssertEqual(lhs, rhs, "\(c): (\(g.name(of: a))∘\(g.name(of: b)))·θ ≠ \(g.name(of: a))·(\(g.name(of: b))·θ)")
                }
            }
        }
    }

    func testNonCommutingProductIsRejected() throws {
        let spec = imageNetwork(width: 4)
        let g = try GroupSpec.product(.rotations(4), .mirror(.horizontal)).finiteGroup(forInput: spec.inputShape)
        XCTAssertThrowsError(try NetworkRepresentation(group: g, spec: spec, hidden: .trivial)) {
            XCTAssertTrue("\($0)".contains("commute"), "\($0)")
        }
        let t = try GroupSpec.product(.translations(.both), .mirror(.horizontal)).finiteGroup(forInput: spec.inputShape)
        XCTAssertThrowsError(try NetworkRepresentation(group: t, spec: spec, hidden: .trivial))
    }

    func testRegularChannelsNeedDivisibleWidths() throws {
        let spec = imageNetwork(width: 6)
        XCTAssertThrowsError(try ReynoldsProjector(group: .rotations, spec: spec, hidden: .regular)) {
            XCTAssertTrue("\($0)".contains("divisible"), "\($0)")
        }
    }
}
