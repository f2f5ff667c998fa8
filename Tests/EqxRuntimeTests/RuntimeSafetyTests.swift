import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation
import XCTest
import EqxTestSupport

/// Runs that used to read out of range or return another statement's numbers.
final class RuntimeSafetyTests: XCTestCase {
    func execute(_ text: String, in dir: URL) throws -> Executor {
        let checked = Pipeline.check(SourceFile(name: "t.eqx", text: text), baseDirectory: dir)
        let program = try XCTUnwrap(checked.program, "\(checked.diagnostics.map(\.message))")
        let options = RunOptions(scriptName: "t", scriptDirectory: dir, outputDirectory: dir.appendingPathComponent("out"), threads: 2)
        let executor = Executor(program: program, canonicalSource: checked.canonicalSource, options: options)
        try executor.run()
        return executor
    }

    /// `augment symmetric(3)` on [3]-shaped CSV samples: every sample in all 6 coordinate permutations (the
    /// orbit closure used to index the samples as images and read past the sample shape).
    func testSymmetricGroupClosesVectorData() throws {
        let dir = try temporaryDirectory(self, "eqx-sym-csv")
        let rows = [(0, [1.0, 2.0, 3.0]), (1, [4.0, 5.0, 6.5]), (0, [7.0, -1.0, 0.5]), (1, [2.0, 2.0, 9.0])]
        try ("label,a,b,c\n" + rows.map { "\($0.0),\($0.1.map { String($0) }.joined(separator: ","))" }.joined(separator: "\n") + "\n")
            .write(to: dir.appendingPathComponent("v.csv"), atomically: true, encoding: .utf8)
        let e = try execute("""
            eqx 1
            group s = symmetric(3)
            data v = csv("v.csv", label: "label") { augment s }
            net mlp { linear -> 2 }
            train a = mlp on v.train { epochs 1; batch 4 }
            report x: accuracy(a, v.train)
            """, in: dir)
        let d = try XCTUnwrap(e.data["v"]).train
        XCTAssertEqual(d.sampleShape, [3])
        XCTAssertEqual(d.count, 6 * rows.count)
        // Each original sample's orbit is the set of its 6 coordinate permutations.
        for (i, row) in rows.enumerated() {
            let orbit = Set((0..<6).map { g in Array(d.sample(g * rows.count + i)).map(Double.init) })
            let expected: Set<[Double]> = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
                .reduce(into: []) { $0.insert($1.map { row.1[$0] }) }
            XCTAssertEqual(orbit, expected, "sample \(i)")
            XCTAssertEqual((0..<6).map { d.labels[$0 * rows.count + i] }, Array(repeating: row.0, count: 6))
        }
    }

    /// The same merge name in two `for` loops: each loop's `.at(α)` and results are its own.
    func testMergesOfTheSameNameInTwoLoopsStayApart() throws {
        let dir = try temporaryDirectory(self, "eqx-merge-names")
        let e = try execute("""
            eqx 1
            seed 2
            data digits = builtin.digits
            net mlp { flatten; linear -> 10 }
            train a = mlp on digits.train[0..299] { epochs 1; batch 50 }
            train b = mlp on digits.train[0..299] { epochs 2; batch 50 }
            for i in [0] {
              merge s = a with b { match none; alpha 0..1 step 0.5; evaluate digits.test }
              report first: accuracy(s.at(1), digits.test)
            }
            for i in [0] {
              merge s = b with a { match none; alpha 0..1 step 0.5; evaluate digits.test }
              report second: accuracy(s.at(1), digits.test)
            }
            report acc_a: accuracy(a, digits.test), acc_b: accuracy(b, digits.test)
            """, in: dir)
        XCTAssertEqual(Set(e.merges.keys), ["s[i=0]", "s~2[i=0]"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/results.json"))) as! [String: Any]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        XCTAssertTrue(text.contains("s[i=0]") && text.contains("s~2[i=0]"), "both merges are in results.json")
        // s.at(1) is b in the first loop and a in the second.
        func value(_ label: String) -> Double? {
            for (_, t) in e.tables {
                guard let c = t.columns.firstIndex(of: label) else { continue }
                for row in t.rows { if case .double(let v) = row[c] { return v } }
            }
            return nil
        }
        let (first, second) = (try XCTUnwrap(value("first")), try XCTUnwrap(value("second")))
        XCTAssertEqual(first, try XCTUnwrap(value("acc_b")))
        XCTAssertEqual(second, try XCTUnwrap(value("acc_a")))
        XCTAssertNotEqual(first, second)
    }
}
