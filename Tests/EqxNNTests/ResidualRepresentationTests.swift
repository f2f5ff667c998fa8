import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// A residual block adds its input to its body's output, so the group must act on both alike. When a
/// block sits on the image (trivial channels) and its body's conv gets the regular hidden action, no
/// weights make the sum equivariant: the representation must say so instead of calling a
/// non-equivariant network "projected onto E".
final class ResidualRepresentationTests: XCTestCase {
    func testResidualAddNeedsTheSameActionOnBothOperands() throws {
        let spec = makeSpec("residual-on-input", input: [2, 6, 6], [
            .residual("res", [conv("res.conv", 2), op("res.relu", .relu)]), op("gap", .globalAvgPool), linear("fc", 3),
        ])
        do {
            let rep = try NetworkRepresentation(group: .horizontalMirror, spec: spec, hidden: .regular)
            // Accepted: then Π_E must give an equivariant network.
            let theta = try ReynoldsProjector(representation: rep).project(randomState(spec, "residual-on-input"))
            let e = try equivarianceError(Network(spec: spec, state: theta), rep, randomInput(spec, batch: 3, "residual-on-input"))
            XCTAssertLessThan(e.layers, 2e-5, "Π_E θ is not equivariant at \(e.worstLayer)")
        } catch {
            XCTAssertTrue("\(error)".contains("'res'"), "the error should name the block: \(error)")
        }
    }

    /// Blocks after a hidden layer carry the hidden action on both operands and are fine (also covered
    /// by the symmetry cases); so are blocks without channel-mixing layers.
    func testConsistentResidualBlocksAreAccepted() throws {
        let spec = makeSpec("residuals", input: [2, 6, 6], [
            .residual("pre", [op("pre.relu", .relu)]), conv("conv1", 4), op("relu", .relu),
            .residual("res", [conv("res.conv", 4), op("res.relu", .relu)]), op("gap", .globalAvgPool), linear("fc", 3),
        ])
        let rep = try NetworkRepresentation(group: .rotations, spec: spec, hidden: .regular)
        let theta = try ReynoldsProjector(representation: rep).project(randomState(spec, "residuals"))
        let e = try equivarianceError(Network(spec: spec, state: theta), rep, randomInput(spec, batch: 3, "residuals"))
        XCTAssertLessThan(e.layers, 2e-5, "layer \(e.worstLayer)")
    }
}
