import Foundation
import XCTest
import EqxTestSupport

/// A statement that fails at run time does not lose what earlier statements wrote.
final class PartialResultsTests: XCTestCase {
    func testEarlierResultsSurviveALaterFailure() throws {
        let dir = try temporaryDirectory(self, "eqx-partial")
        let script = dir.appendingPathComponent("partial.eqx")
        try """
            eqx 1
            seed 2
            data digits = builtin.digits
            net mlp {
              flatten
              linear -> 10
            }
            train t = mlp on digits.train { optimizer sgd(lr: 0.1); epochs 1 }
            report first: accuracy(t, digits.test)
            train bad = mlp on digits.train { optimizer sgd(lr: 1e38); steps 5 }

            """.write(to: script, atomically: true, encoding: .utf8)
        XCTAssertEqual(try eqx(["check", script.path], in: dir).status, 0, "the failure is only visible at run time")
        let r = try eqx(["run", script.path, "--out", "out"], in: dir)
        XCTAssertEqual(r.status, 70, r.stderr)
        XCTAssertTrue(r.stderr.contains("training 'bad' diverged"), r.stderr)
        XCTAssertTrue(r.stderr.contains("partial.eqx:10:1"), "points at the failing statement: \(r.stderr)")

        let results = try jsonObject(dir.appendingPathComponent("out/results.json"))
        XCTAssertEqual(results["complete"] as? Bool, false)
        let tables = try XCTUnwrap(results["tables"] as? [String: Any])
        let first = try XCTUnwrap(tables.values.compactMap { $0 as? [String: Any] }.first { ($0["columns"] as? [String]) == ["first"] },
                                  "the first report survives: \(tables)")
        XCTAssertNotNil((first["rows"] as? [[Any]])?.first?.first as? Double)
        XCTAssertNotNil((results["trainings"] as? [String: Any])?["t"])
        XCTAssertEqual(try jsonObject(dir.appendingPathComponent("out/run.json"))["complete"] as? Bool, false)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/checkpoints/t.safetensors").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/operative.eqx").path))
    }
}
