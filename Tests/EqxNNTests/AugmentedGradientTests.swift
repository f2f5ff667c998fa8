import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// Nordenfors, Ohlsson & Flinth's key identity: at θ ∈ E the gradient of the orbit-augmented loss
/// (every g·x with the label of x) is the projection of the nominal gradient, ∇R_aug(θ) = Π_E ∇R(θ).
/// Why: f_θ(g·x) = f_{g⁻¹·θ}(x) for invariant logits, so R_aug(θ) = (1/|G|) Σ_g R(g⁻¹·θ); differentiating,
/// ∇R_aug(θ) = (1/|G|) Σ_g ρ̄(g) ∇R(g⁻¹·θ), and g⁻¹·θ = θ on E.
final class AugmentedGradientTests: XCTestCase {
    /// ∂ mean cross-entropy / ∂θ for every trainable tensor (eval-mode batch norm, so the loss of the
    /// orbit batch is the mean of per-element losses).
    func gradient(_ network: Network, _ x: Tensor, _ labels: [Int]) throws -> StateDict {
        let result = try network.forward(x, options: ForwardOptions(training: false, gradients: true))
        try crossEntropy(result.output, labels: labels).backward()
        var g = network.state
        for k in network.state.parameterKeys { g[k] = result.parameters[k]!.grad! }
        return g
    }

    func checkIdentity(_ groupSpec: GroupSpec, _ spec: NetworkSpec, hidden: ChannelAction, _ name: String,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let g = try group(groupSpec, spec)
        let rep = try NetworkRepresentation(group: g, spec: spec, hidden: hidden)
        let projector = try ReynoldsProjector(representation: rep)
        let theta = projector.project(randomState(spec, "gradient/" + name), includeBuffers: true)
        let network = try Network(spec: spec, state: theta)
        let batch = 6
        let x = randomInput(spec, batch: batch, "gradient/" + name)
        var rng = stream("labels/" + name)
        let labels = (0..<batch).map { _ in rng.int(below: spec.outputShape[0]) }

        let nominal = try gradient(network, x, labels)
        let orbit = try Tensor.concatenatedBatch(g.elements.map { try x.acted(by: rep.inputAction, element: $0) })
        let augmented = try gradient(network, orbit, Array(repeating: labels, count: g.order).flatMap { $0 })
        let projected = projector.project(nominal)

        let keys = theta.parameterKeys
        // Relative to the whole gradient: a conv bias before a spatial layer norm has a zero gradient,
        // computed as rounding noise on both sides.
        let error = try globalRelativeError(augmented, projected, keys: keys)
        XCTAssertLessThan(error, 1e-5, "\(name): ∇R_aug ≠ Π_E ∇R (relative error \(error))", file: file, line: line)
        // Not vacuous: the nominal gradient itself leaves E, and the augmented one does not.
        XCTAssertGreaterThan(projector.distance(nominal).relative, 1e-3, "\(name): ∇R is already in E", file: file, line: line)
        XCTAssertLessThan(projector.distance(augmented).relative, 1e-5, file: file, line: line)
    }

    func testRotationsWithTrivialChannels() throws {
        let spec = makeSpec("c4", input: [1, 6, 6], [
            conv("conv1", 4), op("relu1", .relu), conv("conv2", 4), op("relu2", .relu),
            op("pool", .maxPool(kernel: 2, stride: 2)), op("flat", .flatten), linear("fc", 3),
        ])
        try checkIdentity(.rotations(4), spec, hidden: .trivial, "c4")
    }

    func testMirrorWithRegularChannels() throws {
        let spec = makeSpec("flip", input: [2, 6, 6], [
            conv("conv1", 4), op("relu1", .relu), conv("conv2", 6), batchNorm("bn"), op("relu2", .relu),
            op("gap", .globalAvgPool), linear("fc", 3),
        ])
        try checkIdentity(.mirror(.horizontal), spec, hidden: .regular, "flip")
    }

    func testDihedralWithRegularChannelsAndResidualBlock() throws {
        let spec = makeSpec("d4", input: [1, 6, 6], [
            conv("conv1", 8), op("tanh", .tanh),
            .residual("res", [conv("res.conv", 8), layerNorm("res.ln", spatial: true, rank: 3), op("res.relu", .relu)]),
            op("pool", .avgPool(kernel: 2, stride: 2)), op("flat", .flatten), linear("fc", 3),
        ])
        try checkIdentity(.dihedral4, spec, hidden: .regular, "d4")
    }

    func testSymmetricGroupOnGraphs() throws {
        try checkIdentity(.symmetric(4), graphNetwork(width: 3, nodes: 4), hidden: .trivial, "s4")
    }
}
