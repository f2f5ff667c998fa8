@testable import EqxREPL
import XCTest
import EqxTestSupport

/// Statements run on one executor; a failure or Ctrl-C leaves the session as it was before the input.
final class RunningTests: XCTestCase {
    /// Stops once `shouldStop` has been asked `after` times (the session asks before each step, the trainer
    /// before each training step).
    final class StopSwitch {
        var calls = 0
        var after = Int.max
        func ask() -> Bool { calls += 1; return calls > after }
    }

    private func session(_ stop: StopSwitch) -> Transcript {
        var t = Transcript(ReplSession(options: ReplOptions(threads: 1), shouldStop: stop.ask))
        for line in [Fixture.digits, Fixture.flip] + Fixture.mlp { XCTAssertNil(t.type(line).failure) }
        return t
    }

    /// Ctrl-C in a training keeps the weights trained so far under the train's name, marked incomplete; they
    /// are exactly the weights of the same training stopped by a step limit at that step.
    func testInterruptedTrainingKeepsTheWeightsSoFar() {
        let stop = StopSwitch()
        var t = session(stop)
        XCTAssertNil(t.type("train first = mlp on digits.train { mode nominal; steps 5 }").failure)
        let before = t.type("accuracy(first, digits.test)").output
        stop.calls = 0
        stop.after = 10   // in the middle of the training
        let r = t.type("train long = mlp on digits.train { mode nominal; optimizer sgd(lr: 0.1); batch 16; steps 1000 }")
        XCTAssertEqual(r.failure, .interrupted)
        XCTAssertLessThan(stop.calls, 20, "stopped at the next step")
        stop.after = .max
        guard let steps = t.session.executor?.trained["long"]?.outcome.steps else { return XCTFail("'long' was not kept") }
        XCTAssertEqual(r.errors, "interrupted: 'long' stopped after \(steps) steps; it keeps the weights trained so far, marked incomplete\n")
        XCTAssertGreaterThan(steps, 0)
        XCTAssertLessThan(steps, 1000)
        XCTAssertContains(t.type(":type long").output, "long : network mlp(hidden: 32), [1, 8, 8] → [10] (incomplete: stopped after \(steps) steps)\n")
        XCTAssertContains(t.type(":info long").output, "incomplete: Ctrl-C stopped it after \(steps) steps")
        XCTAssertEqual(t.type("accuracy(first, digits.test)").output, before, "earlier results are untouched")
        XCTAssertContains(t.session.canonicalScript, "train long = mlp on digits.train")

        // An independent reference: the same training with a step limit where Ctrl-C stopped it.
        var reference = session(StopSwitch())
        XCTAssertNil(reference.type("train first = mlp on digits.train { mode nominal; steps 5 }").failure)
        XCTAssertNil(reference.type("train long = mlp on digits.train { mode nominal; optimizer sgd(lr: 0.1); batch 16; steps \(steps) }").failure)
        let kept = t.session.executor!.trained["long"]!.network.state
        let limited = reference.session.executor!.trained["long"]!.network.state
        XCTAssertEqual(kept.parameterKeys, limited.parameterKeys)
        for k in kept.parameterKeys { XCTAssertEqual(kept[k]?.scalars, limited[k]?.scalars, k) }
        XCTAssertEqual(t.type("accuracy(long, digits.test)").output, reference.type("accuracy(long, digits.test)").output)

        // The session goes on: later statements use the kept weights, the name can be redefined.
        XCTAssertNil(t.type("report accuracy(long, digits.train)").failure)
        XCTAssertNil(t.type("train long = mlp on digits.train { mode nominal; steps 3 }").failure)
        XCTAssertEqual(t.type(":type long").output, "long : network mlp(hidden: 32), [1, 8, 8] → [10]\n")
    }

    /// `input` in a fresh session, stopped by Ctrl-C in the middle of its training.
    private func interrupted(_ input: String) -> (Transcript, ReplResponse) {
        let stop = StopSwitch()
        var t = session(stop)
        stop.after = 10
        let r = t.type(input)
        stop.after = .max
        XCTAssertEqual(r.failure, .interrupted)
        return (t, r)
    }

    /// The statements after the interrupted training in the same input did not run and are not kept.
    func testStatementsAfterTheInterruptedTrainingAreDropped() {
        let (t, r) = interrupted("train long = mlp on digits.train { mode nominal; steps 1000 }; report accuracy(long, digits.test)")
        XCTAssertContains(r.errors, "the statements after it in this input did not run")
        XCTAssertEqual(r.output, "", "the report did not run")
        XCTAssertNotContains(t.session.canonicalScript, "report")
        XCTAssertNotNil(t.session.executor?.trained["long"])
    }

    /// A training inside `repeat` cannot be cut out of its loop: the input is rolled back as before.
    func testAnInterruptedTrainingInsideALoopRollsBack() {
        let (t, r) = interrupted("repeat 2 { train long = mlp on digits.train { mode nominal; steps 1000 } }")
        XCTAssertContains(r.errors, "the session is as it was before this input")
        XCTAssertNotContains(t.session.canonicalScript, "long")
    }

    func testInterruptedMergeKeepsTheStateIntact() {
        let stop = StopSwitch()
        let merge = "merge m = first with second { match activations on digits.train; alpha 0..1 step 0.1 }"
        func trained(_ t: inout Transcript) {
            XCTAssertNil(t.type("train first = mlp on digits.train { mode nominal; steps 5 }").failure)
            XCTAssertNil(t.type("train second = mlp on digits.train { mode nominal; steps 7 }").failure)
        }
        var reference = session(StopSwitch())
        trained(&reference)
        let uninterrupted = reference.type(merge)
        XCTAssertNil(uninterrupted.failure, uninterrupted.errors)

        var t = session(stop)
        trained(&t)
        let before = t.type("accuracy(first, digits.test)").output
        stop.calls = 0
        stop.after = 4   // the session asks once before the statement, the merger then between its matching batches
        let r = t.type(merge)
        XCTAssertEqual(r.failure, .interrupted)
        XCTAssertEqual(r.errors, "interrupted: 'merge m' stopped; the session is as it was before this input\n")
        XCTAssertEqual(stop.calls, 5, "stopped at the next step")
        stop.after = .max
        XCTAssertEqual(t.type("m.barrier").failure, .invalidInput, "the name is not bound to a half result")
        XCTAssertNotContains(t.session.canonicalScript, "merge m")
        XCTAssertEqual(t.type("accuracy(first, digits.test)").output, before, "earlier results are untouched")
        // The same merge runs again (the session replays from the start, as after any failed merge) and
        // ends as if nothing had happened.
        let again = t.type(merge)
        XCTAssertNil(again.failure, again.errors)
        func mergedLine(_ text: String) -> Substring? {
            text.split(separator: "\n").last { $0.hasPrefix("merged m: barrier ") }
        }
        XCTAssertNotNil(mergedLine(uninterrupted.output), uninterrupted.output)
        XCTAssertEqual(mergedLine(again.output), mergedLine(uninterrupted.output))
    }

    func testInterruptBetweenSteps() {
        let stop = StopSwitch()
        var t = session(stop)
        stop.after = 0
        let r = t.type("train z = mlp on digits.train { steps 2 }")
        XCTAssertEqual(r.failure, .interrupted)
        XCTAssertContains(r.errors, "interrupted before 'train z'")
    }

    func testRuntimeFailureIsReportedAtItsStatement() {
        let stop = StopSwitch()
        var t = session(stop)
        // A divergence is found only by running (a missing checkpoint is E0801 before anything runs).
        let r = t.type("train bad = mlp on digits.train { optimizer sgd(lr: 1e38); steps 5 }")
        XCTAssertEqual(r.failure, .runtime)
        XCTAssertContains(r.errors, "error[E0901]: training 'bad' diverged")
        XCTAssertContains(r.errors, " --> <repl>:1:1")
        XCTAssertNil(t.type("1 + 1").failure, "the session goes on")
    }

    func testInputThatFailsHalfwayLeavesBlankLinesAndFreesItsNames() {
        let stop = StopSwitch()
        var t = session(stop)
        let r = t.type("train a = mlp on digits.train { mode nominal; steps 2 }; train bad = mlp on digits.train { optimizer sgd(lr: 1e38); steps 5 }")
        XCTAssertEqual(r.failure, .runtime)
        XCTAssertEqual(t.type("a").failure, .invalidInput)
        XCTAssertTrue(t.session.script.segments.contains { $0.origin == .tombstone },
                      "the lines stay (blank) so report tables keyed by line are never reused")
        let again = t.type("train a = mlp on digits.train { mode nominal; steps 2 }")
        XCTAssertNil(again.failure, again.errors)
        let report = t.type("report x: accuracy(a, digits.test)")
        XCTAssertNil(report.failure, report.errors)
        XCTAssertContains(report.output, "report x\n  x  ")
    }

    func testDataRedeclaredAfterAFailedInputIsLoadedAgain() throws {
        let dir = try temporaryDirectory(self)
        let csv = (0..<20).map { "\($0 % 2),\($0),\($0 * 2)" }.joined(separator: "\n")
        try ("label,a,b\n" + csv + "\n").write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        var t = Transcript(ReplSession(options: ReplOptions(directory: dir, threads: 1)))
        let failed = t.type("data d = builtin.digits; train bad = n on d.train { optimizer sgd(lr: 1e38); steps 5 }")
        XCTAssertEqual(failed.failure, .invalidInput, "n is not declared: nothing ran")
        t.type("net n { flatten; linear -> 10 }")
        let half = t.type("data d = builtin.digits; train bad = n on d.train { optimizer sgd(lr: 1e38); steps 5 }")
        XCTAssertEqual(half.failure, .runtime)
        XCTAssertTrue(t.session.tainted.contains("d"))
        // `d` now names other data: the session runs again on a fresh executor rather than keep the stale digits.
        let r = t.type("data d = csv(\"d.csv\")")
        XCTAssertNil(r.failure, r.errors)
        XCTAssertContains(t.type("d").output, "samples [2]")
        XCTAssertTrue(t.session.tainted.isEmpty)
    }
}

/// With `writesFiles`, save statements write checkpoints and trainings are cached under `runs/repl/`.
final class WritingFilesTests: XCTestCase {
    func testSaveWritesAndTrainingIsReusedFromTheCache() throws {
        let dir = try temporaryDirectory(self)
        var events: [String] = []
        func session() -> Transcript {
            var t = Transcript(ReplSession(options: ReplOptions(directory: dir, threads: 1, writesFiles: true),
                                           progress: { if case .reused(let id) = $0 { events.append("reused \(id)") } }))
            for line in [Fixture.digits] + Fixture.mlp + [Fixture.trainSmall] { XCTAssertNil(t.type(line).failure) }
            return t
        }
        var first = session()
        let target = dir.appendingPathComponent("small.safetensors")
        let saved = first.type("save small to \"\(target.path)\"")
        XCTAssertNil(saved.failure, saved.errors)
        XCTAssertEqual(saved.output, "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: target.path))
        XCTAssertEqual(events, [])
        let loss = first.type("loss(small, digits.test)").output
        var second = session()
        XCTAssertEqual(events, ["reused small"], "the same training in a new session comes from runs/repl/cache")
        XCTAssertEqual(second.type("loss(small, digits.test)").output, loss)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/repl/cache").path))
    }
}
