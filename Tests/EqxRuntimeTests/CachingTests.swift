import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation
import XCTest
import EqxTestSupport

/// A training whose network, data, settings and seed are unchanged is reused from its checkpoint;
/// `--fresh` retrains; editing a later statement does not retrain.
final class CachingTests: XCTestCase {
    /// In process, through the executor's events.
    func run(_ text: String, in dir: URL, out: URL, fresh: Bool = false) throws -> (reused: [String], trained: [String], results: Data) {
        let checked = Pipeline.check(SourceFile(name: "cache.eqx", text: text), baseDirectory: dir)
        let program = try XCTUnwrap(checked.program, "\(checked.diagnostics)")
        var reused: [String] = [], trained: [String] = []
        let options = RunOptions(scriptName: "cache", scriptDirectory: dir, outputDirectory: out, threads: 2, fresh: fresh)
        let executor = Executor(program: program, canonicalSource: checked.canonicalSource, options: options, observer: { event in
            switch event {
            case .reused(let id): reused.append(id)
            case .training(let p) where p.step == 1: trained.append(p.run)
            default: break
            }
        })
        try executor.run()
        return (reused, trained, try Data(contentsOf: out.appendingPathComponent("results.json")))
    }

    func testSecondRunReusesCheckpointsAndFreshRetrains() throws {
        let dir = try temporaryDirectory(self, "eqx-cache")
        let out = dir.appendingPathComponent("out")
        let first = try run(Scripts.small, in: dir, out: out)
        XCTAssertEqual(first.reused, [])
        XCTAssertEqual(Set(first.trained), ["a", "b"])

        let second = try run(Scripts.small, in: dir, out: out)
        XCTAssertEqual(Set(second.reused), ["a", "b"])
        XCTAssertEqual(second.trained, [])
        XCTAssertEqual(second.results, first.results, "a reused checkpoint must give the same results")

        let fresh = try run(Scripts.small, in: dir, out: out, fresh: true)
        XCTAssertEqual(fresh.reused, [])
        XCTAssertEqual(Set(fresh.trained), ["a", "b"])
        XCTAssertEqual(fresh.results, first.results, "retraining is deterministic")

        // Editing the merge and the report does not retrain; changing a training setting retrains only it.
        let edited = Scripts.small.replacingOccurrences(of: "alpha 0..1 step 0.5", with: "alpha 0..1 step 0.25")
            .replacingOccurrences(of: "inv: invariance(b, flip, digits.test)", with: "acc_b: accuracy(b, digits.test)")
        let e = try run(edited, in: dir, out: out)
        XCTAssertEqual(Set(e.reused), ["a", "b"])
        let retrained = edited.replacingOccurrences(of: "mode augmented(flip, random)\n  optimizer sgd(lr: 0.05)",
                                                    with: "mode augmented(flip, random)\n  optimizer sgd(lr: 0.04)")
        XCTAssertNotEqual(retrained, edited)
        let r = try run(retrained, in: dir, out: out)
        XCTAssertEqual(r.reused, ["a"])
        XCTAssertEqual(r.trained, ["b"])
    }

    /// The same through the CLI: the reuse is announced on standard output.
    func testCLIAnnouncesReuse() throws {
        let dir = try temporaryDirectory(self, "eqx-cache-cli")
        let script = dir.appendingPathComponent("small.eqx")
        try Scripts.small.write(to: script, atomically: true, encoding: .utf8)
        let first = try eqx(["run", script.path, "--out", "out", "--threads", "2"], in: dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertFalse(first.stdout.contains("reusing"), first.stdout)
        let resultsURL = dir.appendingPathComponent("out/results.json")
        let before = try Data(contentsOf: resultsURL)
        let second = try eqx(["run", script.path, "--out", "out", "--threads", "2"], in: dir)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("a: unchanged, reusing its checkpoint"), second.stdout)
        XCTAssertTrue(second.stdout.contains("b: unchanged, reusing its checkpoint"), second.stdout)
        XCTAssertFalse(second.stdout.contains("epoch"), "nothing trains: \(second.stdout)")
        XCTAssertEqual(try Data(contentsOf: resultsURL), before)
        let fresh = try eqx(["run", script.path, "--out", "out", "--threads", "2", "--fresh"], in: dir)
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertFalse(fresh.stdout.contains("reusing"), fresh.stdout)
        XCTAssertTrue(fresh.stdout.contains("epoch 2/2"), fresh.stdout)
        XCTAssertEqual(try Data(contentsOf: resultsURL), before)
    }
}
