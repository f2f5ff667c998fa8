import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// `ReynoldsProjector.tiedKernels` lists exactly the convs whose E only ties kernel taps, and a forward
/// pass through their free weights (`ForwardOptions.tiedKernels`, as equivariant training runs it)
/// computes the plain network at a point of E, with Π_E of the plain gradient for each tied kernel.
final class TiedKernelTests: XCTestCase {
    func convs(_ spec: NetworkSpec) -> Set<String> {
        Set(spec.flattenedLayers.filter { if case .conv = $0.kind { return true } else { return false } }.map(\.name))
    }

    func testTheTiedKernelsAreTheConvsWhoseEOnlyTiesTaps() throws {
        var listed = 0
        for c in symmetryCases() {
            let projector = try ReynoldsProjector(group: group(c.group, c.spec), spec: c.spec, hidden: c.hidden)
            let tied = projector.tiedKernels
            switch c.hidden {
            case .regular:
                // The group permutes a conv's output channels (and, after the first, its input channels).
                XCTAssertEqual(tied.count, 0, "\(c): \(tied.keys.sorted())")
            case .trivial:
                // Translations move pixels but no tap; point groups move the taps of every conv.
                let expected = "\(c.group)".contains("translations") ? [] : convs(c.spec)
                XCTAssertEqual(Set(tied.keys), expected, "\(c)")
            }
            let theta = randomState(c.spec, "tied/\(c)")
            for (name, orbits) in tied {
                let key = "\(name).weight", w = theta[key]!
                let expanded = try orbits.expand(tapOrbitMean(Variable(w), orbits: orbits).value)
                XCTAssertLessThan(relativeError(expanded, projector.project(w, key: key)), 1e-6, "\(c): \(name)")
                XCTAssertLessThan(orbits.count, orbits.kernelHeight * orbits.kernelWidth)
                listed += 1
            }
        }
        XCTAssertGreaterThan(listed, 10, "the cases include point groups with trivial channels")
    }

    func testTiedForwardIsThePlainOneInEWithTheProjectedGradient() throws {
        var checked = 0
        for c in symmetryCases() where c.hidden == .trivial {
            let projector = try ReynoldsProjector(group: group(c.group, c.spec), spec: c.spec, hidden: c.hidden)
            let tied = projector.tiedKernels
            guard !tied.isEmpty else { continue }
            let network = try Network(spec: c.spec, state: projector.project(randomState(c.spec, "tied-forward/\(c)"), includeBuffers: true))
            let x = randomInput(c.spec, batch: 3, "tied-forward/\(c)")
            func run(_ kernels: [String: TapOrbits]) throws -> (Tensor, [String: Tensor]) {
                var options = ForwardOptions(training: false, gradients: true)
                options.tiedKernels = kernels
                let r = try network.forward(x, options: options)
                try sum(square(r.output)).backward()
                return (r.output.value, r.parameters.compactMapValues { $0.grad })
            }
            let (plainOutput, plainGradients) = try run([:])
            let (tiedOutput, tiedGradients) = try run(tied)
            XCTAssertLessThan(relativeError(tiedOutput, plainOutput), 1e-5, "\(c): output")
            // Relative to the whole gradient: a bias followed by a layer norm has a gradient of rounding size.
            let scale = plainGradients.values.reduce(0) { $0 + $1.squaredNorm }.squareRoot()
            for (key, g) in plainGradients {
                let layer = key.split(separator: ".").dropLast().joined(separator: ".")
                let expected = tied[layer] != nil && key.hasSuffix(".weight") ? projector.project(g, key: key) : g
                let difference = try (tiedGradients[key]! - expected).squaredNorm.squareRoot()
                XCTAssertLessThan(difference / scale, 1e-5, "\(c): gradient of \(key)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 3)
    }
}
