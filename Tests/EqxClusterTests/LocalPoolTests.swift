import EqxTestSupport
import Foundation
import XCTest

/// `eqx run --jobs N`: units as separate processes on this machine, collected into results byte-identical
/// to one process; a failing unit is reported and `--resume` runs only what did not finish.
final class LocalPoolTests: XCTestCase {
    func testPoolResultsAreByteIdenticalToOneProcess() throws {
        let dir = try temporaryDirectory(self, "eqx-pool")
        try write(SweepScripts.sweep, to: dir.appendingPathComponent("sweep.eqx"))
        let plain = try eqx(["run", "sweep.eqx", "--threads", "1", "--out", "plain"], in: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let pooled = try eqx(["run", "sweep.eqx", "--jobs", "3", "--threads", "1", "--out", "pooled"], in: dir, timeout: 300)
        XCTAssertEqual(pooled.status, 0, pooled.stdout + pooled.stderr)
        XCTAssertTrue(pooled.stdout.contains("8 of 8 units, 3 at once, 1 thread each"), pooled.stdout)
        try assertSameResults(dir.appendingPathComponent("plain"), dir.appendingPathComponent("pooled"))

        let status = try eqx(["status", "pooled"], in: dir)
        XCTAssertEqual(status.status, 0, status.stdout + status.stderr)
        XCTAssertTrue(status.stdout.contains("collected: complete"), status.stdout)
        XCTAssertEqual(status.stdout.components(separatedBy: "  done").count - 1, 8, status.stdout)

        let plan = try eqx(["plan", "sweep.eqx", "--out", "pooled"], in: dir)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("8 units, 4 levels"), plan.stdout)
        XCTAssertEqual(plan.stdout.components(separatedBy: "finished (results stored)").count - 1, 8, plan.stdout)
    }

    /// The cache state `eqx plan` shows: nothing before a run; after it, every training (continuations too).
    func testPlanShowsCacheState() throws {
        let dir = try temporaryDirectory(self, "eqx-plan")
        try write(SweepScripts.sweep, to: dir.appendingPathComponent("sweep.eqx"))
        let before = try eqx(["plan", "sweep.eqx", "--out", "o"], in: dir)
        XCTAssertEqual(before.status, 0, before.stderr)
        XCTAssertTrue(before.stdout.contains("unit 0   train pre"), before.stdout)
        XCTAssertTrue(before.stdout.contains("0/1 trainings cached (the rest after their inputs)"), "continuations wait for pre")
        XCTAssertTrue(before.stdout.contains("collect (after all units): summary of acc_loss_steps"), before.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path), "plan writes nothing")
        XCTAssertEqual(try eqx(["run", "sweep.eqx", "--threads", "1", "--out", "o"], in: dir).status, 0)
        let after = try eqx(["plan", "sweep.eqx", "--out", "o"], in: dir)
        XCTAssertEqual(after.stdout.components(separatedBy: "1/1 trainings cached").count - 1, 6, after.stdout)
        XCTAssertFalse(after.stdout.contains("0/1"), after.stdout)
    }

    func testFailingUnitIsReportedAndResumeRunsOnlyIt() throws {
        let dir = try temporaryDirectory(self, "eqx-pool-fail")
        // The last unit reads a checkpoint that does not exist yet.
        let script = SweepScripts.seeds(3) + "\nreport warm: accuracy(load(\"warm.safetensors\", small, digits.train), digits.test)\n"
        try write(script, to: dir.appendingPathComponent("f.eqx"))
        let first = try eqx(["run", "f.eqx", "--jobs", "2", "--threads", "1", "--out", "pool"], in: dir, timeout: 300)
        XCTAssertEqual(first.status, 70, first.stdout + first.stderr)
        XCTAssertTrue(first.stderr.contains("the run is incomplete"), first.stderr)
        let results = try jsonObject(dir.appendingPathComponent("pool/results.json"))
        XCTAssertEqual(results["complete"] as? Bool, false)
        let status = try eqx(["status", "pool"], in: dir)
        XCTAssertEqual(status.status, 1)
        XCTAssertTrue(status.stdout.contains("unit 3   report warm"), status.stdout)
        XCTAssertTrue(status.stdout.contains("failed"), status.stdout)
        XCTAssertTrue(status.stdout.contains("warm.safetensors does not exist"), status.stdout)
        XCTAssertTrue(status.stdout.contains("collected: INCOMPLETE (missing unit 3)"), status.stdout)

        // With the checkpoint in place, --resume runs only the failed unit.
        try FileManager.default.copyItem(at: dir.appendingPathComponent("pool/checkpoints/t_0.safetensors"),
                                         to: dir.appendingPathComponent("warm.safetensors"))
        let resumed = try eqx(["run", "f.eqx", "--jobs", "2", "--threads", "1", "--out", "pool", "--resume"], in: dir, timeout: 300)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("1 of 4 units"), resumed.stdout)
        let plain = try eqx(["run", "f.eqx", "--threads", "1", "--out", "plain"], in: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        try assertSameResults(dir.appendingPathComponent("plain"), dir.appendingPathComponent("pool"))
    }

    func testNoSbatchNamesTheLocalPool() throws {
        let dir = try temporaryDirectory(self, "eqx-nosbatch")
        try write(SweepScripts.seeds(2), to: dir.appendingPathComponent("s.eqx"))
        let r = try EqxProcess(["run", "s.eqx", "--slurm"], directory: dir, environment: ["PATH": dir.path]).wait()
        XCTAssertEqual(r.status, 70, r.stderr)
        XCTAssertTrue(r.stderr.contains("`sbatch` is not on the PATH"), r.stderr)
        XCTAssertTrue(r.stderr.contains("--jobs N"), r.stderr)
    }

    func testSweepOptionsAreChecked() throws {
        let dir = try temporaryDirectory(self, "eqx-sweep-usage")
        try write(SweepScripts.seeds(2), to: dir.appendingPathComponent("s.eqx"))
        for (args, message) in [(["--jobs", "0"], "--jobs must be at least 1"), (["--jobs", "2", "--slurm"], "give one of them"),
                                (["--partition", "x"], "--partition is an option of --slurm"),
                                (["--jobs", "2", "--fresh"], "--fresh cannot be combined")] {
            let r = try eqx(["run", "s.eqx"] + args, in: dir)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        XCTAssertEqual(try eqx(["status", "nowhere"], in: dir).status, 66)
        let dry = try eqx(["run", "s.eqx", "--jobs", "2", "--threads", "1", "--dry-run", "--out", "d"], in: dir)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("2 units, 1 level of dependencies"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("(1 thread per unit)"), dry.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("d").path))
    }
}
