import Foundation
import XCTest
import EqxTestSupport

/// Ctrl-C mid-training: exit 130, a partial checkpoint in the cache, results so far marked incomplete;
/// `eqx run --resume` then ends with exactly the numbers of an uninterrupted run. Ctrl-C mid-merge: exit 130
/// at the merge's next step, the finished trainings kept; `--resume` reuses them and runs the merge again.
final class InterruptResumeTests: XCTestCase {
    func testInterruptedRunResumesToTheUninterruptedResult() throws {
        let dir = try temporaryDirectory(self, "eqx-resume")
        let script = dir.appendingPathComponent("slow.eqx")
        try Scripts.slow(epochs: 40).write(to: script, atomically: true, encoding: .utf8)
        let args = ["run", script.path, "--threads", "2"]

        // Interrupt after the first progress line (stdout is not a terminal: one log line per epoch).
        let interrupted = try EqxProcess(args + ["--out", "interrupted"], directory: dir)
        let deadline = Date().addingTimeInterval(120)
        while interrupted.process.isRunning && !interrupted.stdoutSoFar.contains("epoch 1/40") && Date() < deadline {
            usleep(10_000)
        }
        XCTAssertTrue(interrupted.process.isRunning, "training ended before it could be interrupted:\n\(interrupted.stdoutSoFar)")
        XCTAssertTrue(interrupted.stdoutSoFar.contains("epoch 1/40"),
                      "no progress line on a non-terminal stdout within 120 s:\n\(interrupted.stdoutSoFar)")
        kill(interrupted.process.processIdentifier, SIGINT)
        let i = interrupted.wait(timeout: 180)
        XCTAssertEqual(i.status, 130, "stdout:\n\(i.stdout)\nstderr:\n\(i.stderr)")
        XCTAssertTrue(i.stderr.contains("--resume"), i.stderr)
        XCTAssertFalse(i.stdout.contains("epoch 40/40"), "the run finished before the signal; make it slower")

        let cache = dir.appendingPathComponent("interrupted/cache")
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        XCTAssertEqual(cached.filter { $0.hasSuffix(".partial.safetensors") }.count, 1, "partial checkpoint: \(cached)")
        let partialResults = try jsonObject(dir.appendingPathComponent("interrupted/results.json"))
        XCTAssertEqual(partialResults["complete"] as? Bool, false)

        let resumed = try eqx(args + ["--out", "interrupted", "--resume"], in: dir)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming at step"), resumed.stdout)
        XCTAssertFalse(resumed.stdout.contains("epoch 1/40"), "resume must not start over:\n\(resumed.stdout)")
        let after = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        XCTAssertEqual(after.filter { $0.hasSuffix(".partial.safetensors") }, [], "the partial checkpoint is removed when done")

        let reference = try eqx(args + ["--out", "reference"], in: dir)
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let a = try Data(contentsOf: dir.appendingPathComponent("interrupted/results.json"))
        let b = try Data(contentsOf: dir.appendingPathComponent("reference/results.json"))
        XCTAssertEqual(a, b, "resumed and uninterrupted runs differ")
        XCTAssertEqual(try jsonObject(dir.appendingPathComponent("interrupted/results.json"))["complete"] as? Bool, true)
        print(String(format: "interrupt/resume: interrupted after %.1f s, resumed run %.1f s, uninterrupted %.1f s",
                     i.seconds, resumed.seconds, reference.seconds))
    }

    func testRunInterruptedDuringAMergeResumesToTheUninterruptedResult() throws {
        let dir = try temporaryDirectory(self, "eqx-resume-merge")
        let script = dir.appendingPathComponent("merge.eqx")
        try Scripts.longMerge.write(to: script, atomically: true, encoding: .utf8)
        let args = ["run", script.path, "--threads", "2"]

        let reference = try eqx(args + ["--out", "reference"], in: dir)
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let statements = try XCTUnwrap(try jsonObject(dir.appendingPathComponent("reference/run.json"))["statements"]
            as? [[String: Any]])
        let mergeSeconds = try XCTUnwrap(statements.first { $0["statement"] as? String == "merge m" }?["seconds"] as? Double)

        // The statement's name is printed as it starts; the signal lands a moment into the merge.
        let interrupted = try EqxProcess(args + ["--out", "interrupted"], directory: dir)
        let deadline = Date().addingTimeInterval(60)
        while interrupted.process.isRunning && !interrupted.stdoutSoFar.contains("merge m\n") && Date() < deadline {
            usleep(10_000)
        }
        usleep(200_000)
        XCTAssertTrue(interrupted.process.isRunning, "the run ended before it could be interrupted:\n\(interrupted.stdoutSoFar)")
        let signalled = Date()
        kill(interrupted.process.processIdentifier, SIGINT)
        let i = interrupted.wait(timeout: 180)
        let latency = Date().timeIntervalSince(signalled)
        XCTAssertEqual(i.status, 130, "stdout:\n\(i.stdout)\nstderr:\n\(i.stderr)")
        XCTAssertTrue(i.stderr.contains("interrupted during 'merge m'; `eqx run --resume` runs the merge again"), i.stderr)
        XCTAssertLessThan(latency, mergeSeconds / 2, "the merge stops at its next step, long before it would end")
        let partial = try jsonObject(dir.appendingPathComponent("interrupted/results.json"))
        XCTAssertEqual(partial["complete"] as? Bool, false)
        XCTAssertEqual((partial["merges"] as? [String: Any])?.count, 0, "no half merge in the results")
        XCTAssertEqual((partial["trainings"] as? [String: Any])?.keys.sorted(), ["a", "b"])

        let resumed = try eqx(args + ["--out", "interrupted", "--resume"], in: dir)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("a: unchanged, reusing its checkpoint"), resumed.stdout)
        let a = try Data(contentsOf: dir.appendingPathComponent("interrupted/results.json"))
        let b = try Data(contentsOf: dir.appendingPathComponent("reference/results.json"))
        XCTAssertEqual(a, b, "resumed and uninterrupted runs differ")
        print(String(format: "merge interrupt/resume: merge %.1f s, stopped %.3f s after the signal, resumed run %.1f s",
                     mergeSeconds, latency, resumed.seconds))
    }
}
