import Foundation
import XCTest
import EqxTestSupport

/// The run id covers everything the results depend on — the canonical script with `--seed` written into it,
/// the thread count, the data — so runs with different numbers never share a directory or a cached training,
/// and `operative.eqx` alone runs the same run again.
final class RunIdentityTests: XCTestCase {
    struct Run {
        var id: String
        var directory: URL
        var stdout: String
    }

    func run(_ file: String, _ extra: [String], in dir: URL) throws -> Run {
        let r = try eqx(["run", file] + extra, in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        // First line: `run <id> → <directory>`.
        let first = try XCTUnwrap(r.stdout.split(separator: "\n").first, r.stdout).split(separator: " ")
        XCTAssertEqual(first.first, "run", r.stdout)
        let path = first.dropFirst(3).joined(separator: " ")
        return Run(id: String(first[1]), directory: URL(fileURLWithPath: path), stdout: r.stdout)
    }

    func testSeedOverrideIsPartOfTheRunAndItsOperativeScript() throws {
        let dir = try temporaryDirectory(self, "eqx-run-seed")
        try Scripts.small.write(to: dir.appendingPathComponent("small.eqx"), atomically: true, encoding: .utf8)
        let base = try run("small.eqx", ["--threads", "2"], in: dir)
        let seeded = try run("small.eqx", ["--threads", "2", "--seed", "12"], in: dir)
        XCTAssertNotEqual(seeded.id, base.id, "another seed gives other results, so another run")
        XCTAssertFalse(seeded.stdout.contains("reusing"), "trainings cached for seed 5 are not reused: \(seeded.stdout)")

        let operative = try String(contentsOf: seeded.directory.appendingPathComponent("operative.eqx"), encoding: .utf8)
        XCTAssertTrue(operative.hasPrefix("eqx 1\nseed 12\n"), operative)
        XCTAssertEqual(try jsonObject(seeded.directory.appendingPathComponent("run.json"))["seed"] as? Int, 12)
        // The seed-5 run is still there, untouched.
        XCTAssertTrue(try String(contentsOf: base.directory.appendingPathComponent("operative.eqx"), encoding: .utf8)
            .hasPrefix("eqx 1\nseed 5\n"))
        XCTAssertEqual(try jsonObject(base.directory.appendingPathComponent("results.json"))["seed"] as? Int, 5)

        // operative.eqx alone, trained afresh (its own cache), is the same run bit for bit — although
        // small.eqx is not in canonical form, so its report sits on another line than in operative.eqx.
        try operative.write(to: dir.appendingPathComponent("again.eqx"), atomically: true, encoding: .utf8)
        let again = try run("again.eqx", ["--threads", "2", "--out", "again"], in: dir)
        XCTAssertEqual(again.id, seeded.id)
        XCTAssertEqual(try Data(contentsOf: again.directory.appendingPathComponent("results.json")),
                       try Data(contentsOf: seeded.directory.appendingPathComponent("results.json")))

        // Overriding with the script's own seed is the script's run.
        XCTAssertEqual(try run("small.eqx", ["--threads", "2", "--seed", "5"], in: dir).id, base.id)
    }

    /// How sums are split across threads changes the last bits of every number, so the count is part of the
    /// run id and of each training's cache key.
    func testThreadCountIsPartOfTheRunAndTheCache() throws {
        let dir = try temporaryDirectory(self, "eqx-run-threads")
        try Scripts.small.write(to: dir.appendingPathComponent("small.eqx"), atomically: true, encoding: .utf8)
        let two = try run("small.eqx", ["--threads", "2"], in: dir)
        let one = try run("small.eqx", ["--threads", "1"], in: dir)
        XCTAssertNotEqual(one.id, two.id)
        XCTAssertFalse(one.stdout.contains("reusing"), one.stdout)
        XCTAssertEqual(try jsonObject(one.directory.appendingPathComponent("run.json"))["threads"] as? Int, 1)
        XCTAssertEqual(try jsonObject(two.directory.appendingPathComponent("run.json"))["threads"] as? Int, 2)
        // Flags that leave the numbers alone leave the id alone.
        XCTAssertEqual(try run("small.eqx", ["--threads", "2", "--fresh"], in: dir).id, two.id)
    }
}
