@testable import EqxRuntime
import EqxData
import EqxGroups
import EqxIR
import EqxSyntax
import EqxTestSupport
import Foundation
import XCTest

/// `semidirect(translations, rotations(4))` declared in a script: a network trained in equivariant mode is
/// invariant under all 256 elements on 8×8 digits, and `augment` adds every transform of every sample.
final class SemidirectGroupTests: XCTestCase {
    func testEquivariantTrainingIsInvariantUnderTheSemidirectProduct() throws {
        let text = """
        eqx 1
        seed 3
        data digits = builtin.digits {
          limit 300
        }
        group p4 = semidirect(translations, rotations(4))
        net cyclic {
          conv 3x3 -> 8 pad 1 padding circular
          relu
          conv 3x3 -> 8 pad 1 padding circular
          relu
          global avgpool
          linear -> 10
        }
        train inv = cyclic on digits.train {
          mode equivariant(p4)
          optimizer sgd(lr: 0.1, momentum: 0.9)
          epochs 1
        }
        train nom = cyclic on digits.train {
          optimizer sgd(lr: 0.1, momentum: 0.9)
          epochs 1
        }
        report inv: invariance(inv, p4, digits.test), nom: invariance(nom, p4, digits.test), e: distance_to_E(inv, p4)
        """
        let dir = try temporaryDirectory(self, "eqx-semidirect")
        let checked = Pipeline.check(SourceFile(name: "semidirect.eqx", text: text), baseDirectory: dir)
        let program = try XCTUnwrap(checked.program, "\(checked.diagnostics)")
        let options = RunOptions(scriptName: "semidirect", scriptDirectory: dir, threads: 1, writesFiles: false)
        let executor = Executor(program: program, canonicalSource: checked.canonicalSource, options: options)
        try executor.run()
        let table = try XCTUnwrap(executor.tables.values.first)
        func value(_ column: String) throws -> Double {
            let i = try XCTUnwrap(table.columns.firstIndex(of: column), "\(table.columns)")
            guard case .double(let d) = table.rows[0][i] else { XCTFail("\(column) is not a number"); return .nan }
            return d
        }
        XCTAssertLessThan(try value("inv.relative_change"), 1e-5, "equivariant training under p4 gives an invariant net")
        XCTAssertEqual(try value("inv.disagreement"), 0)
        XCTAssertLessThan(try value("e"), 1e-6, "the trained weights stay in E")
        XCTAssertGreaterThan(try value("nom.relative_change"), 1e-3, "a nominal net is not invariant (the metric can fail)")
    }

    /// `augment p4` on the data: all |G| = 256 transforms of each sample, grouped by element, each the
    /// sample moved pixel by pixel as the group's geometry says.
    func testAugmentationAddsTheWholeOrbit() throws {
        let n = 4
        var inputs: [Float] = []
        for s in 0..<2 { for p in 0..<(n * n) { inputs.append(Float(100 * s + p)) } }
        let data = try Dataset(name: "tiny", sampleShape: [1, n, n], inputs: inputs, labels: [0, 1], classes: 2)
        let closed = try DataResolver.orbitClosure(data, group: .semidirect(.translations(.both), .rotations(4)))
        XCTAssertEqual(closed.count, 2 * 64)
        XCTAssertEqual(closed.labels, Array(repeating: [0, 1], count: 64).flatMap { $0 })
        for element in 0..<64 {
            // (t, k): rotate k quarter turns about the centre (numpy.rot90), then shift t = a·n + b.
            let t = element / 4, k = element % 4
            for s in 0..<2 {
                var expected = [Float](repeating: -1, count: n * n)
                for h in 0..<n {
                    for w in 0..<n {
                        var (y, x) = (h, w)
                        for _ in 0..<k { (y, x) = (n - 1 - x, y) }
                        expected[((y + t / n) % n) * n + (x + t % n) % n] = inputs[s * n * n + h * n + w]
                    }
                }
                let start = (element * 2 + s) * n * n
                XCTAssertEqual(Array(closed.inputs[start..<(start + n * n)]), expected, "element \(element), sample \(s)")
            }
        }
    }
}
