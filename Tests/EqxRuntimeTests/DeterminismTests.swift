import Foundation
import XCTest
import EqxTestSupport

/// Same script, seed and thread count ⇒ byte-identical results.json from fresh processes and fresh run
/// directories; another seed ⇒ different numbers.
final class DeterminismTests: XCTestCase {
    func testSameSeedAndThreadsGiveIdenticalResultsAndAnotherSeedDiffers() throws {
        let dir = try temporaryDirectory(self, "eqx-determinism")
        let script = dir.appendingPathComponent("small.eqx")
        try Scripts.small.write(to: script, atomically: true, encoding: .utf8)
        func run(_ out: String, _ extra: [String] = []) throws -> Data {
            let r = try eqx(["run", script.path, "--out", out, "--threads", "2", "--quiet"] + extra, in: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            return try Data(contentsOf: dir.appendingPathComponent(out).appendingPathComponent("results.json"))
        }
        let first = try run("first"), second = try run("second")
        XCTAssertEqual(first, second, "results.json differs between two identical runs")
        XCTAssertGreaterThan(first.count, 1000)
        // The numbers are real: training moved, the merge has a curve.
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: first) as? [String: Any])
        XCTAssertEqual(results["complete"] as? Bool, true)
        XCTAssertEqual(results["seed"] as? Int, 5)
        XCTAssertEqual((results["trainings"] as? [String: Any])?.count, 2)
        XCTAssertNotNil((results["merges"] as? [String: Any])?["m"])

        let other = try run("other", ["--seed", "6"])
        XCTAssertNotEqual(other, first, "--seed 6 must change the results")
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: other) as? [String: Any])
        XCTAssertEqual(o["seed"] as? Int, 6)
        // Not only the seed field: the trained numbers change too.
        let a1 = ((results["trainings"] as? [String: Any])?["a"] as? [String: Any])?["final_loss"] as? Double
        let a2 = ((o["trainings"] as? [String: Any])?["a"] as? [String: Any])?["final_loss"] as? Double
        XCTAssertNotNil(a1)
        XCTAssertNotEqual(a1, a2)
        // The same seed given on the command line as in the script reproduces the script's run.
        XCTAssertEqual(try run("explicit", ["--seed", "5"]), first)
    }
}
