import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import EqxTensor
import Foundation
import XCTest
import EqxTestSupport

/// `distance_to_E(…, layers:)` and `gradient_identity(…)` as a script reports them.
final class ProtocolMeasurementTests: XCTestCase {
    let script = """
        eqx 1
        seed 2
        data digits = builtin.digits
        group rot = rotations(4)
        net cnn { conv 3x3 -> 4 pad 1; batchnorm; relu; conv 3x3 -> 6 pad 1; relu; global avgpool; fc: linear -> 10 }
        train a = cnn on digits.train[0..199] { optimizer sgd(lr: 0.1); batch 50; epochs 1 }
        train e = cnn on digits.train[0..199] { mode equivariant(rot); optimizer sgd(lr: 0.1); batch 50; epochs 1 }
        report all: distance_to_E(a, rot), convs: distance_to_E(a, rot, layers: convs), one: distance_to_E(a, rot, layers: [conv2, conv1])
        report at_E: gradient_identity(e, rot, digits.train[0..99]), off_E: gradient_identity(a, rot, digits.train[0..99])

        """

    func row(_ e: Executor, _ table: String) throws -> [String: Double] {
        let t = try XCTUnwrap(e.tables[table])
        var out: [String: Double] = [:]
        for (c, v) in zip(t.columns, t.rows[0]) { if case .double(let d) = v { out[c] = d } }
        return out
    }

    /// ‖W − Π_E W‖ of a conv weight under C4 with trivial channels, naively: each 3×3 kernel against the
    /// mean of its four rotations.
    func naiveKernelDistance(_ w: Tensor) -> Double {
        let s = w.scalars, kernels = w.count / 9
        var d2 = 0.0
        for k in 0..<kernels {
            var r = (0..<9).map { Double(s[k * 9 + $0]) }
            var mean = r
            for _ in 1..<4 {
                r = (0..<9).map { i in r[(2 - i % 3) * 3 + i / 3] }   // a quarter turn
                for i in 0..<9 { mean[i] += r[i] }
            }
            for i in 0..<9 { d2 += pow(Double(s[k * 9 + i]) - mean[i] / 4, 2) }
        }
        return d2.squareRoot()
    }

    func testPerLayerDistancesAndGradientIdentity() throws {
        let e = try executeScript(script, name: "p", self)
        let d = try row(e, "all_convs_one")
        let layers = ["conv1", "bn1", "conv2", "fc"]
        var expected: Set<String> = ["all", "all.absolute"]
        for l in layers { expected.insert("all.\(l)"); expected.insert("all.\(l).absolute") }
        for label in ["convs", "one"] {
            for c in ["", ".absolute", ".conv1", ".conv1.absolute", ".conv2", ".conv2.absolute"] { expected.insert(label + c) }
        }
        XCTAssertEqual(Set(d.keys), expected)
        // Per-layer absolute distances add up in quadrature to the total.
        let quadrature = layers.map { (l: String) -> Double in pow(d["all.\(l).absolute"]!, 2) }.reduce(0, +).squareRoot()
        XCTAssertEqual(quadrature, d["all.absolute"]!, accuracy: 1e-12 * d["all.absolute"]!)
        XCTAssertGreaterThan(d["all.absolute"]!, 1e-2, "a nominally trained net is far from E")
        // Against the naive reference: the conv kernels carry all of it (biases, batch norm and the head after
        // the global pool are invariant with trivial channels).
        let net = try XCTUnwrap(e.trained["a"]).network
        for conv in ["conv1", "conv2"] {
            let naive = naiveKernelDistance(net.state["\(conv).weight"]!)
            XCTAssertEqual(d["all.\(conv).absolute"]!, naive, accuracy: 1e-6)
        }
        XCTAssertEqual(d["all.fc.absolute"]!, 0, accuracy: 1e-7)
        let convs = (pow(d["all.conv1.absolute"]!, 2) + pow(d["all.conv2.absolute"]!, 2)).squareRoot()
        XCTAssertEqual(d["convs.absolute"]!, convs, accuracy: 1e-12)
        XCTAssertEqual(d["one.absolute"]!, convs, accuracy: 1e-12)
        let columns: [String] = try XCTUnwrap(e.tables["all_convs_one"]).columns.filter { $0.hasPrefix("one.") }
        XCTAssertEqual(columns, ["one.absolute", "one.conv1", "one.conv2", "one.conv1.absolute", "one.conv2.absolute"],
                       "layers in the network's order")

        let g = try row(e, "at_e_off_e")
        XCTAssertLessThan(g["at_E"]!, 1e-6, "∇R_aug = Π_E∇R at a point of E")
        XCTAssertGreaterThan(g["at_E.off_E"]!, 1e-4, "the nominal gradient leaves E, so the identity is not vacuous")
        XCTAssertGreaterThan(g["off_E"]!, 1e-4, "the identity fails off E")
        XCTAssertGreaterThan(g["off_E.gradient"]!, g["off_E.off_E"]!)
    }

    func testDiagnostics() throws {
        func ids(_ report: String) -> [String] {
            let text = script.components(separatedBy: "report all")[0] + report + "\n"
            return Pipeline.check(SourceFile(name: "p.eqx", text: text), baseDirectory: URL(fileURLWithPath: "/"))
                .diagnostics.filter { $0.severity == .error }.map(\.id)
        }
        XCTAssertEqual(ids("report distance_to_E(a, rot, layers: [conv1, relu1])"), ["E0406"])
        XCTAssertEqual(ids("report distance_to_E(a, rot, layers: [conv3])"), ["E0401"])
        XCTAssertEqual(ids("report distance_to_E(a, rot, layers: 3)"), ["E0403"])
        XCTAssertEqual(ids("report distance_to_E(a, rot, layers: [])"), ["E0406"])
        XCTAssertEqual(ids("report distance_to_E(a, rot, layers: fc)"), [])
        XCTAssertEqual(ids("report gradient_identity(a, rot)"), ["E0406"])
        XCTAssertEqual(ids("report gradient_identity(cnn, rot, digits.test)"), ["E0403"])
        XCTAssertEqual(ids("report gradient_identity(a, rot, digits.test, kind: mse)"), [])
    }
}
