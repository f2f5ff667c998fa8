import EqxIR
import EqxSyntax
import Foundation
import XCTest

/// `eqx check` on a 200-line script must answer in well under a second. The bound here is generous so the
/// test cannot flake on a loaded machine; the measured time is printed.
final class CheckerPerformanceTests: XCTestCase {
    /// A realistic script of exactly `lines` lines: data, groups, a net, many trainings, merges and reports.
    static func generatedScript(lines: Int) -> String {
        var out = [
            "eqx 1", "seed 1", "data digits = builtin.digits", "group flip = mirror(horizontal)", "group rot = rotations(4)",
            "net cnn(width: 8) {", "  conv 3x3 -> width pad 1", "  batchnorm", "  relu", "  conv 3x3 -> 2 * width pad 1",
            "  relu", "  maxpool 2", "  global avgpool", "  linear -> 10", "}",
        ]
        var i = 0
        while out.count + 8 <= lines {
            out += [
                "train t\(i) = cnn(width: \(8 * (1 + i % 3))) on digits.train {",
                "  mode \(i % 2 == 0 ? "augmented(flip)" : "equivariant(rot)")",
                "  optimizer sgd(lr: 0.05, momentum: 0.9)",
                "  batch 32",
                "  epochs 2",
                "  track distance_to_E(rot) every 10",
                "}",
                "report acc\(i): accuracy(t\(i), digits.test), d\(i): distance_to_E(t\(i), rot)",
            ]
            i += 1
        }
        while out.count < lines { out.append("report n\(out.count): parameters(t0)") }
        return out.joined(separator: "\n") + "\n"
    }

    func testTwoHundredLineScriptChecksFast() {
        let text = Self.generatedScript(lines: 200)
        XCTAssertEqual(text.split(separator: "\n").count, 200)
        let t0 = Date()
        let (_, program, diagnostics) = checkText(text, name: "long.eqx")
        let seconds = Date().timeIntervalSince(t0)
        print(String(format: "check of a 200-line script: %.1f ms", seconds * 1000))
        XCTAssertEqual(diagnostics.filter { $0.severity == .error }.map(\.id), [])
        XCTAssertNotNil(program)
        XCTAssertLessThan(seconds, 5)
    }
}
