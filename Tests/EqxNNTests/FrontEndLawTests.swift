import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxSyntax
import EqxTensor

/// The laws on networks as the front end builds them (parser and checker, with their layer names,
/// shapes and channel actions), not only on the specs the other tests assemble by hand.
final class FrontEndLawTests: XCTestCase {
    func program(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Program {
        let source = SourceFile(name: "laws.eqx", bytes: Array(text.utf8))
        let (script, syntax) = parse(source)
        let (program, semantic) = Checker(file: source).check(script)
        let errors = (syntax + semantic).filter { $0.severity == .error }
        XCTAssertEqual(errors.map(\.message), [], file: file, line: line)
        return try XCTUnwrap(program, file: file, line: line)
    }

    func trainStatements(_ p: Program) -> [TrainSpec] {
        p.steps.compactMap { if case .train(let t) = $0 { return t } else { return nil } }
    }

    func testCheckedNetworksObeyTheLaws() throws {
        let p = try program("""
            eqx 1
            seed 3
            data digits = builtin.digits
            group flip = mirror(horizontal)
            group rot = rotations(4)
            group d4 = dihedral(4)
            net cnn(width: 8) {
              conv 3x3 -> width pad 1
              batchnorm
              relu
              residual {
                conv 3x3 -> width pad 1
                layernorm over spatial
                relu
              }
              maxpool 2
              dense -> width
              tanh
              global avgpool
              linear -> 10
            }
            train a = cnn on digits.train {
              mode equivariant(flip, channels: regular)
              optimizer sgd(lr: 0.1)
              batch 32
              epochs 1
            }
            train b = cnn on digits.train {
              mode equivariant(rot, channels: regular)
              optimizer sgd(lr: 0.1)
              batch 32
              epochs 1
            }
            train c = cnn on digits.train {
              mode equivariant(d4)
              optimizer sgd(lr: 0.1)
              batch 32
              epochs 1
            }
            """)
        let statements = trainStatements(p)
        XCTAssertEqual(statements.count, 3)
        for t in statements {
            guard case .equivariant(let g) = t.mode else { XCTFail("\(t.id): not equivariant"); continue }
            let spec = t.network
            XCTAssertEqual(spec.inputShape, [1, 8, 8])
            let rep = try NetworkRepresentation(group: g.finiteGroup(forInput: spec.inputShape), spec: spec, hidden: t.channels.hidden)
            let projector = try ReynoldsProjector(representation: rep)
            let theta = Network(spec: spec, seed: 1, streamName: t.id).state
            XCTAssertGreaterThan(projector.distance(theta).relative, 0.1, t.id)
            let projected = projector.project(theta, includeBuffers: true)
            let x = randomInput(spec, batch: 3, "front-end/\(t.id)")
            let e = try equivarianceError(Network(spec: spec, state: projected), rep, x)
            XCTAssertLessThan(e.layers, 2e-5, "\(t.id): layer \(e.worstLayer)")
            XCTAssertLessThan(e.logits, 2e-5, t.id)
            // And the transformed network computes the transformed function.
            let network = try Network(spec: spec, state: theta)
            for element in rep.group.elements {
                let moved = try Network(spec: spec, state: rep.transform(theta, element: element)).forward(x, options: .evaluation).output.value
                let pulled = try network.forward(x.acted(by: rep.inputAction, element: rep.group.inverse(element)),
                                                 options: .evaluation).output.value
                XCTAssertLessThan(relativeError(moved, pulled), 2e-5, "\(t.id): element \(element)")
            }
        }
    }

    /// A residual body whose conv declares another channel action than the block's input: either the
    /// checker or the representation must refuse it (no weights make the sum equivariant).
    func testResidualWithMismatchedDeclaredActionIsRefused() throws {
        let text = """
            eqx 1
            data digits = builtin.digits
            group flip = mirror(horizontal)
            net cnn {
              conv 3x3 -> 4 pad 1
              relu
              residual {
                conv 3x3 -> 4 pad 1 channels trivial
                relu
              }
              global avgpool
              linear -> 10
            }
            train a = cnn on digits.train {
              mode equivariant(flip, channels: regular)
              optimizer sgd(lr: 0.1)
              batch 32
              epochs 1
            }
            """
        let source = SourceFile(name: "mismatch.eqx", bytes: Array(text.utf8))
        let (script, syntax) = parse(source)
        XCTAssertEqual(syntax.filter { $0.severity == .error }.map(\.message), [])
        let (program, semantic) = Checker(file: source).check(script)
        if semantic.contains(where: { $0.severity == .error }) { return }
        let t = try XCTUnwrap(program.map(trainStatements)?.first)
        XCTAssertThrowsError(try NetworkRepresentation(group: .horizontalMirror, spec: t.network, hidden: t.channels.hidden)) {
            XCTAssertTrue("\($0)".contains("residual"), "\($0)")
        }
    }

    func testFusedBatchNormReLUMatchesTheSeparateLayers() throws {
        // Batch norm followed by ReLU runs fused unless the batch norm's own output is captured; both
        // give the same logits, gradients and running statistics, bit for bit.
        let p = try program("""
            eqx 1
            data digits = builtin.digits
            net cnn {
              conv 3x3 -> 6 pad 1
              batchnorm
              relu
              global avgpool
              linear -> 10
            }
            train a = cnn on digits.train {
              optimizer sgd(lr: 0.1)
              batch 8
              epochs 1
            }
            """)
        let spec = try XCTUnwrap(trainStatements(p).first).network
        let bn = try XCTUnwrap(spec.flattenedLayers.first { if case .batchNorm = $0.kind { return true } else { return false } })
        let x = randomInput(spec, batch: 4, "fused-bn")
        var outcomes: [[Tensor]] = []
        for capture in [Set<String>(), [bn.name]] {
            let network = Network(spec: spec, seed: 5, streamName: "fused")
            let result = try network.forward(x, options: ForwardOptions(training: true, gradients: true, capture: capture))
            try result.output.backward(seed: .filled(result.output.shape, with: 0.5))
            outcomes.append([result.output.value] + network.state.keys.sorted().compactMap { result.parameters[$0]?.grad }
                            + [network.state["\(bn.name).running_mean"]!, network.state["\(bn.name).running_var"]!])
        }
        XCTAssertEqual(outcomes[0].count, outcomes[1].count)
        for (a, b) in zip(outcomes[0], outcomes[1]) { XCTAssertEqual(a, b) }
    }
}
