import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation
import XCTest
import EqxTestSupport

/// `order from T` makes a training see T's batches in T's order (Nordenfors et al.'s continuations): started
/// in E, full-orbit augmented SGD then follows the equivariant trajectory step by step.
final class BatchOrderTests: XCTestCase {
    func script(sharedOrder: Bool) -> String {
        """
        eqx 1
        seed 4
        data digits = builtin.digits
        group rot = rotations(4)
        net cnn { conv 3x3 -> 6 pad 1; relu; conv 3x3 -> 6 pad 1; relu; global avgpool; linear -> 10 }
        train pre = cnn on digits.train[0..299] { mode equivariant(rot); optimizer sgd(lr: 0.1); batch 25; epochs 1 }
        train eq = pre on digits.train[0..299] {
          mode equivariant(rot); optimizer sgd(lr: 0.1); batch 25; epochs 2; track loss, accuracy every 1
        }
        train aug = pre on digits.train[0..299] {
          mode augmented(rot); optimizer sgd(lr: 0.1); batch 25; epochs 2; track loss, accuracy every 1
          \(sharedOrder ? "order from eq" : "")
        }

        """
    }

    func curves(_ text: String) throws -> (eq: [Double], aug: [Double], eqAccuracy: [Double], augAccuracy: [Double]) {
        let dir = try temporaryDirectory(self, "eqx-order")
        let checked = Pipeline.check(SourceFile(name: "order.eqx", text: text), baseDirectory: dir)
        let program = try XCTUnwrap(checked.program, "\(checked.diagnostics.map(\.message))")
        let e = Executor(program: program, canonicalSource: checked.canonicalSource,
                         options: RunOptions(scriptName: "order", scriptDirectory: dir, threads: 1, writesFiles: false))
        try e.run()
        let eq = try XCTUnwrap(e.trained["eq"]).outcome.curve, aug = try XCTUnwrap(e.trained["aug"]).outcome.curve
        return (eq.map(\.loss), aug.map(\.loss), eq.map(\.accuracy), aug.map(\.accuracy))
    }

    func testSharedOrderFollowsTheEquivariantTrajectory() throws {
        let shared = try curves(script(sharedOrder: true))
        XCTAssertEqual(shared.eq.count, 24, "every step of 2 epochs of 12 batches")
        for (i, (a, b)) in zip(shared.eq, shared.aug).enumerated() {
            XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a)), "loss at step \(i)")
        }
        XCTAssertEqual(shared.eqAccuracy, shared.augAccuracy)
        // Without the clause each training shuffles by its own name: the batches, hence the losses, differ.
        let own = try curves(script(sharedOrder: false))
        let differing = zip(own.eq, own.aug).filter { abs($0 - $1) > 1e-3 }.count
        XCTAssertGreaterThan(differing, 10)
    }

    func testOrderDiagnostics() throws {
        func ids(_ text: String) -> [String] {
            Pipeline.check(SourceFile(name: "o.eqx", text: text), baseDirectory: URL(fileURLWithPath: "/"))
                .diagnostics.filter { $0.severity == .error }.map(\.id)
        }
        let head = "eqx 1\ndata digits = builtin.digits\nnet mlp { flatten; linear -> 10 }\n"
            + "train a = mlp on digits.train[0..99] { epochs 1 }\n"
        XCTAssertEqual(ids(head + "train b = mlp on digits.train[0..49] { order from a }\n"), ["E0602"])
        XCTAssertEqual(ids(head + "train b = mlp on digits.train[0..99] { order from nobody }\n"), ["E0401"])
        XCTAssertEqual(ids(head + "train b = mlp on digits.train[0..99] { order from a }\n"), [])
        XCTAssertEqual(ids(head + "train b = mlp on digits.train { order \"shared\" }\n"
                           + "train c = mlp on digits.train { order \"shared\" }\n"), [])
    }
}
