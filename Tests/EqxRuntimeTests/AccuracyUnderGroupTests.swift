import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation
import XCTest
import EqxTestSupport

/// `accuracy(m, d, under: G)` reports one column per element: equal for an invariant network (trained in
/// equivariant mode), different for a nominal one.
final class AccuracyUnderGroupTests: XCTestCase {
    func testAccuracyUnderEachRotation() throws {
        let text = """
        eqx 1
        seed 2
        data digits = builtin.digits
        group rot = rotations(4)
        net cnn {
          conv 3x3 -> 8 pad 1
          relu
          maxpool 2
          linear -> 10
        }
        train inv = cnn on digits.train {
          mode equivariant(rot)
          optimizer sgd(lr: 0.1, momentum: 0.9)
          epochs 2
        }
        train nom = cnn on digits.train {
          optimizer sgd(lr: 0.1, momentum: 0.9)
          epochs 2
        }
        report inv: accuracy(inv, digits.test, under: rot), nom: accuracy(nom, digits.test, under: rot), loss: loss(nom, digits.test, under: rot)
        """
        let dir = try temporaryDirectory(self, "eqx-under")
        let checked = Pipeline.check(SourceFile(name: "under.eqx", text: text), baseDirectory: dir)
        let program = try XCTUnwrap(checked.program, "\(checked.diagnostics)")
        let options = RunOptions(scriptName: "under", scriptDirectory: dir, threads: 1, writesFiles: false)
        let executor = Executor(program: program, canonicalSource: checked.canonicalSource, options: options)
        try executor.run()
        let table = try XCTUnwrap(executor.tables.values.first)
        XCTAssertEqual(table.columns, ["inv.e", "inv.r", "inv.r2", "inv.r3", "nom.e", "nom.r", "nom.r2", "nom.r3",
                                       "loss.e", "loss.r", "loss.r2", "loss.r3"])
        let row = table.rows[0].map { v -> Double in
            if case .double(let d) = v { return d } else { return .nan }
        }
        for i in 1..<4 { XCTAssertEqual(row[i], row[0], "an invariant network has the same accuracy under every rotation") }
        XCTAssertNotEqual(Set(row[4..<8]).count, 1, "a nominal network's accuracy depends on the rotation: \(row)")
        XCTAssertGreaterThan(row[4], row[6], "digits are recognised upright better than upside down")
        XCTAssertTrue(row.allSatisfy { $0.isFinite })
    }
}
