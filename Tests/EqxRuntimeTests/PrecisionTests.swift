import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation
import XCTest
import EqxTestSupport

/// `precision float64`: trained, measured and checkpointed in float64, so the orbit-augmented continuation
/// from a point of E stays in E at float64 rounding where float32 sits at ~1e-7.
final class PrecisionTests: XCTestCase {
    func script(_ precision: String) -> String {
        """
        eqx 1
        seed 4
        data digits = builtin.digits
        group rot = rotations(4)
        net cnn { conv 3x3 -> 6 pad 1; tanh; conv 3x3 -> 6 pad 1; tanh; global avgpool; linear -> 10 }
        train pre = cnn on digits.train[0..299] { mode equivariant(rot); optimizer sgd(lr: 0.1); batch 25; epochs 1; precision \(precision) }
        train aug = pre on digits.train[0..299] {
          mode augmented(rot); optimizer sgd(lr: 0.1); batch 25; epochs 2; track distance_to_E(rot) every 6; precision \(precision)
        }
        report r: distance_to_E(aug, rot), identity: gradient_identity(pre, rot, digits.train[0..99]), acc: accuracy(aug, digits.test)
        save aug to "aug.safetensors"

        """
    }

    func run(_ precision: String, in dir: URL) throws -> (Executor, [String: Double]) {
        let checked = Pipeline.check(SourceFile(name: "p.eqx", text: script(precision)), baseDirectory: dir)
        let program = try XCTUnwrap(checked.program, "\(checked.diagnostics.map(\.message))")
        let e = Executor(program: program, canonicalSource: checked.canonicalSource,
                         options: RunOptions(scriptName: "p", scriptDirectory: dir, outputDirectory: dir, threads: 1))
        try e.run()
        var values: [String: Double] = [:]
        let report = try XCTUnwrap(program.steps.compactMap { if case .report(let r) = $0 { return r } else { return nil } }.first)
        for item in report.items {
            for (k, v) in try e.measure(item.measurement, label: item.label) { if case .double(let d) = v { values[k] = d } }
        }
        return (e, values)
    }

    /// The dtypes of the checkpoint the script saved.
    func savedTypes(_ dir: URL) throws -> Set<SafeTensorsDType> {
        let files = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix("aug.safetensors") && !$0.contains("checkpoints/") }
        let file = try XCTUnwrap(files.first, "no aug.safetensors under \(dir.path)")
        return Set(try SafeTensors.read(dir.appendingPathComponent(file)).tensors.values.map(\.dtype))
    }

    func testFloat64RunStaysInEAtFloat64RoundingAndWritesF64() throws {
        let dir = try temporaryDirectory(self, "eqx-precision")
        let (wide, w) = try run("float64", in: dir.appendingPathComponent("64"))
        let (_, n) = try run("float32", in: dir.appendingPathComponent("32"))
        XCTAssertLessThanOrEqual(try XCTUnwrap(w["r"]), 1e-15, "float64 orbit-augmented run left E")
        XCTAssertGreaterThan(try XCTUnwrap(n["r"]), 1e-9, "the float32 run is at float32 rounding")
        XCTAssertLessThan(try XCTUnwrap(w["identity"]), 1e-14)
        XCTAssertGreaterThan(try XCTUnwrap(w["identity.off_E"]), 1e-3)
        XCTAssertEqual(try XCTUnwrap(w["acc"]), try XCTUnwrap(n["acc"]), accuracy: 0.05, "the two precisions learn the same")
        for p in try XCTUnwrap(wide.trained["aug"]).outcome.distance { XCTAssertLessThanOrEqual(p.relative, 1e-15, "step \(p.step)") }
        XCTAssertNotNil(try wide.network64(.trained("aug")))
        XCTAssertEqual(try savedTypes(dir.appendingPathComponent("64")), [.F64])
        XCTAssertEqual(try savedTypes(dir.appendingPathComponent("32")), [.F32])
    }

    func testPrecisionInTheIRAndItsDiagnostics() throws {
        func check(_ text: String) -> CheckedScript {
            Pipeline.check(SourceFile(name: "p.eqx", text: text), baseDirectory: URL(fileURLWithPath: "/"))
        }
        let head = "eqx 1\ndata digits = builtin.digits\nnet mlp { flatten; linear -> 10 }\n"
        let ok = check(head + "train a = mlp on digits.train { precision float64 }\n")
        let train = try XCTUnwrap(ok.program?.steps.compactMap { if case .train(let t) = $0 { return t } else { return nil } }.first)
        XCTAssertEqual(train.precision, .float64)
        XCTAssertTrue(IRPrinter.describe(.train(train)).contains("precision float64"))
        let plain = check(head + "train a = mlp on digits.train { epochs 1 }\n")
        let plainTrain = try XCTUnwrap(plain.program?.steps.compactMap { if case .train(let t) = $0 { return t } else { return nil } }.first)
        XCTAssertEqual(plainTrain.precision, .float32)
        XCTAssertFalse(IRPrinter.describe(.train(plainTrain)).contains("precision"), "float32 is the default and not shown")
        for bad in ["precision double", "precision", "precision float64 float32"] {
            let d = check(head + "train a = mlp on digits.train { \(bad) }\n").diagnostics.filter { $0.severity == .error }
            XCTAssertEqual(d.map(\.id), ["E0406"], bad)
        }
        let twice = check(head + "train a = mlp on digits.train { precision float64; precision float32 }\n")
        XCTAssertEqual(twice.diagnostics.filter { $0.severity == .error }.map(\.id), ["E0406"])
    }
}
