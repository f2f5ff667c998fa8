import Foundation
import XCTest

/// Ctrl-C mid-training: exit 130, a partial checkpoint in the cache, results so far marked incomplete;
/// `eqx run --resume` then ends with exactly the numbers of an uninterrupted run.
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
        let i = interrupted.wait()
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
}
