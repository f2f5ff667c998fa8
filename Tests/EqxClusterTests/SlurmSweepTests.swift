@testable import EqxCluster
import EqxTestSupport
import Foundation
import XCTest

/// Sweeps on a real SLURM (`.ci/slurm.sh start` makes a single-node one): results byte-identical to one
/// process, a cancelled unit resubmitted alone by `--resume`, a failing unit explained by `eqx status`.
/// Skipped without `sbatch` or without a controller that answers (the client installed, no cluster up),
/// except under CI=true, where a missing SLURM is a failure.
final class SlurmSweepTests: XCTestCase {
    override func setUpWithError() throws {
        let hint = "the SLURM sweep tests need a cluster (`.ci/slurm.sh start` makes a local one)"
        var missing: String? = nil
        if Subprocess.find("sbatch") == nil {
            missing = "no sbatch on the PATH: " + hint
        } else if let scontrol = Subprocess.find("scontrol"), let ping = try? Subprocess.run(scontrol, ["ping"]),
                  ping.status != 0 || !ping.stdout.contains("UP") {
            missing = "no SLURM controller answers `scontrol ping`: " + hint
        }
        guard let missing else { return }
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(missing) }
        throw XCTSkip(missing)
    }

    private func plainRun(_ script: String, in dir: URL) throws {
        let r = try eqx(["run", script, "--threads", "1", "--out", "plain"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    /// Polls `eqx status` until `done` says so (SLURM's own `--wait` polls slowly).
    private func waitForStatus(_ run: String, in dir: URL, timeout: Double = 300, until done: (ProcessResult) -> Bool) throws -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try eqx(["status", run], in: dir)
        while !done(last) {
            guard Date() < deadline else { XCTFail("timed out; last status:\n\(last.stdout)\(last.stderr)"); return last }
            Thread.sleep(forTimeInterval: 0.5)
            last = try eqx(["status", run], in: dir)
        }
        return last
    }

    func testSweepOnSlurmIsByteIdenticalToOneProcess() throws {
        let dir = try temporaryDirectory(self, "eqx-slurm")
        try write(SweepScripts.sweep, to: dir.appendingPathComponent("sweep.eqx"))
        try plainRun("sweep.eqx", in: dir)
        let r = try eqx(["run", "sweep.eqx", "--slurm", "--wait", "--out", "slurm"], in: dir, timeout: 600)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("units 0, 5–7"), "level 0: the pre-training and the loop\n\(r.stdout)")
        XCTAssertTrue(r.stdout.contains("collect the results"), r.stdout)
        XCTAssertTrue(r.stdout.contains("units: 0 pending · 0 running · 8 done · 0 failed"), r.stdout)
        try assertSameResults(dir.appendingPathComponent("plain"), dir.appendingPathComponent("slurm"))
        let s = try eqx(["status", "slurm"], in: dir)
        XCTAssertEqual(s.status, 0, s.stdout)
        XCTAssertTrue(s.stdout.contains("collected: complete"), s.stdout)
    }

    func testCancelledUnitIsTheOnlyOneResumeSubmits() throws {
        let dir = try temporaryDirectory(self, "eqx-slurm-cancel")
        try write(SweepScripts.sweep, to: dir.appendingPathComponent("sweep.eqx"))
        try plainRun("sweep.eqx", in: dir)
        // One task at a time, so unit 7 (the last of the first array) is still queued while others run.
        let submit = try eqx(["run", "sweep.eqx", "--slurm", "--array-limit", "1", "--out", "c"], in: dir)
        XCTAssertEqual(submit.status, 0, submit.stdout + submit.stderr)
        XCTAssertTrue(submit.stdout.contains("eqx status"), submit.stdout)
        let cancel = try eqx(["cancel", "c", "--unit", "7"], in: dir)
        XCTAssertEqual(cancel.status, 0, cancel.stderr)
        XCTAssertTrue(cancel.stdout.contains("cancelled unit 7 (#2)"), cancel.stdout)
        let incomplete = try waitForStatus("c", in: dir) { $0.stdout.contains("collected:") }
        XCTAssertEqual(incomplete.status, 1, incomplete.stdout)
        XCTAssertTrue(incomplete.stdout.contains("collected: INCOMPLETE (missing unit 7)"), incomplete.stdout)
        XCTAssertTrue(incomplete.stdout.range(of: "unit 7 +#2 +cancelled", options: .regularExpression) != nil, incomplete.stdout)
        XCTAssertEqual(try jsonObject(dir.appendingPathComponent("c/results.json"))["complete"] as? Bool, false)

        let resumed = try eqx(["run", "sweep.eqx", "--slurm", "--resume", "--wait", "--out", "c"], in: dir, timeout: 600)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("7 of 8 units already finished; submitting the other 1"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains(": unit 7 ("), resumed.stdout)
        XCTAssertEqual(resumed.stdout.components(separatedBy: "  job ").count - 1, 2, "one array and the collecting job\n\(resumed.stdout)")
        try assertSameResults(dir.appendingPathComponent("plain"), dir.appendingPathComponent("c"))
    }

    /// A unit cancelled while it trains stops after a step with a partial checkpoint; `--resume` continues it
    /// from there, to the same bytes as an uninterrupted run.
    func testUnitCancelledWhileTrainingContinuesFromItsCheckpoint() throws {
        let dir = try temporaryDirectory(self, "eqx-slurm-running")
        // Long enough that the cancel lands mid-training on an idle machine too (at 800 epochs the unit could finish before the cancel).
        let script = SweepScripts.seeds(2, epochs: 4000).replacingOccurrences(of: "limit 400", with: "limit 1200")
        try write(script, to: dir.appendingPathComponent("long.eqx"))
        let submit = try eqx(["run", "long.eqx", "--slurm", "--array-limit", "1", "--out", "r"], in: dir)
        XCTAssertEqual(submit.status, 0, submit.stdout + submit.stderr)
        let running = try waitForStatus("r", in: dir) {
            $0.stdout.range(of: "unit 1 +#1 +running [1-9]", options: .regularExpression) != nil || $0.stdout.contains("collected:")
        }
        XCTAssertFalse(running.stdout.contains("collected:"), "unit 1 finished before it could be cancelled\n\(running.stdout)")
        let cancel = try eqx(["cancel", "r", "--unit", "1"], in: dir)
        XCTAssertTrue(cancel.stdout.contains("cancelled unit 1 (#1)"), cancel.stdout + cancel.stderr)
        let status = try waitForStatus("r", in: dir) { $0.stdout.contains("collected:") }
        XCTAssertTrue(status.stdout.contains("cancelled while running"), status.stdout)
        XCTAssertTrue(status.stdout.contains("interrupted during 'train t#1'"), status.stdout)
        XCTAssertTrue(status.stdout.contains("collected: INCOMPLETE (missing unit 1)"), status.stdout)
        let partial = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("r/cache").path)
            .filter { $0.hasSuffix(".partial.safetensors") }
        XCTAssertEqual(partial.count, 1, "the interrupted training keeps its checkpoint")

        let resumed = try eqx(["run", "long.eqx", "--slurm", "--resume", "--wait", "--out", "r"], in: dir, timeout: 600)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("1 of 2 units already finished"), resumed.stdout)
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("r/cluster/logs").path)
        let unitLogs = try logs.filter { $0.hasPrefix("unit-1.") }.map { try String(contentsOf: dir.appendingPathComponent("r/cluster/logs/\($0)"), encoding: .utf8) }
        XCTAssertTrue(unitLogs.contains { $0.contains("t#1: resuming at step") }, unitLogs.joined())
        try plainRun("long.eqx", in: dir)
        try assertSameResults(dir.appendingPathComponent("plain"), dir.appendingPathComponent("r"))
    }

    func testFailingUnitIsExplainedAndTheRunIncomplete() throws {
        let dir = try temporaryDirectory(self, "eqx-slurm-fail")
        let script = SweepScripts.seeds(2) + "\nreport warm: accuracy(load(\"warm.safetensors\", small, digits.train), digits.test)\n"
        try write(script, to: dir.appendingPathComponent("f.eqx"))
        let r = try eqx(["run", "f.eqx", "--slurm", "--wait", "--out", "f"], in: dir, timeout: 600)
        XCTAssertEqual(r.status, 70, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("the run is incomplete: unit 2 failed"), r.stderr)
        let s = try eqx(["status", "f"], in: dir)
        XCTAssertEqual(s.status, 1)
        XCTAssertTrue(s.stdout.range(of: "unit 2 +report warm +failed", options: .regularExpression) != nil, s.stdout)
        XCTAssertTrue(s.stdout.contains("warm.safetensors does not exist"), s.stdout)
        XCTAssertTrue(s.stdout.contains("log: "), s.stdout)
        XCTAssertTrue(s.stdout.contains("collected: INCOMPLETE (missing unit 2)"), s.stdout)
        XCTAssertEqual(try jsonObject(dir.appendingPathComponent("f/results.json"))["complete"] as? Bool, false)
        // The finished units' rows are kept.
        let csvs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("f").path).filter { $0.hasSuffix(".csv") }
        let tables = try csvs.map { try String(contentsOf: dir.appendingPathComponent("f/\($0)"), encoding: .utf8) }
        let loop = try XCTUnwrap(tables.first { $0.contains("rep 0") }, "\(csvs)")
        XCTAssertEqual(loop.components(separatedBy: "\r\n").filter { $0.hasPrefix("rep ") }.count, 2, loop)
    }

    func testOptionSlurmRejectsIsNamed() throws {
        let dir = try temporaryDirectory(self, "eqx-slurm-reject")
        try write(SweepScripts.seeds(2), to: dir.appendingPathComponent("s.eqx"))
        let r = try eqx(["run", "s.eqx", "--slurm", "--partition", "nosuchpartition", "--out", "x"], in: dir)
        XCTAssertEqual(r.status, 70, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("SLURM rejected --partition=nosuchpartition (from --partition)"), r.stderr)
        // The same from the defaults file, with its line.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".eqx"), withIntermediateDirectories: true)
        try write("time = 1:00\nmem = lots\n", to: dir.appendingPathComponent(".eqx/slurm.conf"))
        let f = try eqx(["run", "s.eqx", "--slurm", "--out", "y"], in: dir)
        XCTAssertEqual(f.status, 70, f.stdout + f.stderr)
        XCTAssertTrue(f.stderr.contains("SLURM rejected --mem=lots (from .eqx/slurm.conf:2)"), f.stderr)
    }
}
