import EqxData
import EqxIR
@testable import EqxRuntime
import EqxSyntax
import EqxTensor
import Foundation
import XCTest
import EqxTestSupport

/// Cache entries and partial checkpoints are untrusted input: an entry that does not verify (wrong digest,
/// wrong shapes, impossible step counts, non-finite values) is ignored with a warning and recomputed, so
/// the results are exactly those of a fresh run — never numbers read past an entry's end, never a crash.
final class CacheIntegrityTests: XCTestCase {
    struct Outcome { var reused: [String]; var resumed: [String]; var warnings: [String]; var results: Data }

    func run(_ dir: URL, resume: Bool = false) throws -> Outcome {
        let checked = Pipeline.check(SourceFile(name: "cache.eqx", text: Scripts.small), baseDirectory: dir)
        let program = try XCTUnwrap(checked.program, "\(checked.diagnostics)")
        var o = Outcome(reused: [], resumed: [], warnings: [], results: Data())
        let options = RunOptions(scriptName: "cache", scriptDirectory: dir, outputDirectory: dir.appendingPathComponent("out"),
                                 threads: 2, resume: resume)
        let executor = Executor(program: program, canonicalSource: checked.canonicalSource, options: options, observer: { event in
            switch event {
            case .reused(let id): o.reused.append(id)
            case .resumed(let id, _): o.resumed.append(id)
            case .warning(let w): o.warnings.append(w)
            default: break
            }
        })
        try executor.run()
        o.results = try Data(contentsOf: dir.appendingPathComponent("out/results.json"))
        return o
    }

    func cacheEntries(_ dir: URL) throws -> [URL] {
        let cache = dir.appendingPathComponent("out/cache")
        return try FileManager.default.contentsOfDirectory(atPath: cache.path).sorted()
            .filter { $0.hasSuffix(".safetensors") && !$0.hasSuffix(".partial.safetensors") }
            .map { cache.appendingPathComponent($0) }
    }

    /// Re-encodes an entry after `edit`, with a digest that matches the edited content, so only the
    /// reader's shape and range checks stand between it and the run.
    func rewrite(_ url: URL, to target: URL? = nil, _ edit: (inout [String: SafeTensor], inout [String: String]) -> Void) throws {
        var c = try SafeTensors.read(url)
        edit(&c.tensors, &c.metadata)
        c.metadata[TrainingCacheEntry.digestKey] = TrainingCacheEntry.digest(c.tensors, metadata: c.metadata)
        try SafeTensors.write(c.tensors, metadata: c.metadata, to: target ?? url)
    }

    func int64Rows(_ rows: [[Double]]) -> SafeTensor {
        SafeTensor(int64s: rows.flatMap { $0 }.map { Int64(bitPattern: $0.bitPattern) },
                   shape: [rows.count, rows.first?.count ?? 0])
    }

    func assertRecomputed(_ dir: URL, reference: Data, because reason: String,
                          file: StaticString = #filePath, line: UInt = #line) throws {
        let again = try run(dir)
        XCTAssertEqual(again.warnings.count, 1, "one warning for the bad entry: \(again.warnings)", file: file, line: line)
        XCTAssertTrue(again.warnings.first?.contains(reason) ?? false, "\(again.warnings)", file: file, line: line)
        XCTAssertEqual(again.reused.count, 1, "the other entry is still reused", file: file, line: line)
        XCTAssertEqual(again.results, reference, "a recomputed entry gives the fresh numbers", file: file, line: line)
        let third = try run(dir)
        XCTAssertEqual(third.warnings, [], "the recomputed entry verifies", file: file, line: line)
        XCTAssertEqual(third.results, reference, file: file, line: line)
    }

    func testCorruptedEntriesAreRecomputed() throws {
        let dir = try temporaryDirectory(self, "eqx-cache-integrity")
        let reference = try run(dir).results
        let entries = try cacheEntries(dir)
        XCTAssertEqual(entries.count, 2)
        let entry = entries[0]

        // A flipped byte in the weights.
        var bytes = try Data(contentsOf: entry)
        bytes[bytes.count - 3] ^= 0x40
        try bytes.write(to: entry)
        try assertRecomputed(dir, reference: reference, because: "digest")

        // A wrong number of curve values (the case that used to be read past its end).
        try rewrite(entry) { t, _ in
            t["outcome.curve"] = SafeTensor(int64s: [1, 2, 3, 4, 5], shape: [1, 5])
        }
        try assertRecomputed(dir, reference: reference, because: "outcome.curve")

        // Rows that claim more values than they hold cannot be written at all; a curve step past the end can.
        try rewrite(entry) { t, _ in
            t["outcome.curve"] = self.int64Rows([[1e9, 0.5, 0.5]])
        }
        try assertRecomputed(dir, reference: reference, because: "outcome.curve")

        // A non-finite weight.
        try rewrite(entry) { t, _ in
            let key = t.keys.sorted().first { $0.hasSuffix("weight") }!
            var values = try! t[key]!.floats()
            values[0] = .nan
            t[key] = SafeTensor(floats: values, shape: t[key]!.shape)
        }
        try assertRecomputed(dir, reference: reference, because: "nan")

        // A weight of the wrong shape, and a truncated file.
        try rewrite(entry) { t, _ in
            let key = t.keys.sorted().first { $0.hasSuffix("weight") }!
            t[key] = SafeTensor(floats: [1, 2], shape: [2])
        }
        try assertRecomputed(dir, reference: reference, because: "shape")
        let whole = try Data(contentsOf: entry)
        try whole.prefix(whole.count / 2).write(to: entry)
        try assertRecomputed(dir, reference: reference, because: entry.lastPathComponent)

        // An entry without a digest (edited by hand, or from an older cache format).
        var c = try SafeTensors.read(entry)
        c.metadata[TrainingCacheEntry.digestKey] = nil
        try SafeTensors.write(c.tensors, metadata: c.metadata, to: entry)
        try assertRecomputed(dir, reference: reference, because: "digest")
    }

    /// Partial checkpoints crafted from a finished entry: `--resume` must ignore each bad one with a warning
    /// and train from the start, ending with the fresh numbers (it used to crash on these).
    func testBadPartialCheckpointsAreNotResumed() throws {
        let dir = try temporaryDirectory(self, "eqx-cache-partial")
        let reference = try run(dir).results
        // Entry of `a` (SGD with momentum 0.9): find it by its recorded instance name.
        let entry = try cacheEntries(dir).first { try SafeTensors.read($0).metadata["eqx_run"] == "a" }!
        let partial = URL(fileURLWithPath: entry.path.replacingOccurrences(of: ".safetensors", with: ".partial.safetensors"))
        let keys = try SafeTensors.read(entry).tensors.keys.filter { !$0.hasPrefix("outcome.") }.sorted()
        let weight = keys.first { $0.hasSuffix("weight") }!

        func craft(step: Double, momentumShape: [Int]?) throws {
            try rewrite(entry, to: partial) { t, _ in
                let s = try! t["outcome.scalars"]!.int64s().map { Double(bitPattern: UInt64(bitPattern: $0)) }
                t["outcome.scalars"] = self.int64Rows([[step, s[1], s[2], step]])
                t["outcome.curve"] = self.int64Rows([])
                t["outcome.epochs"] = SafeTensor(int64s: [], shape: [0, 6])
                if let shape = momentumShape {
                    let n = shape.reduce(1, *)
                    t["optim.\(weight).momentum"] = SafeTensor(floats: [Float](repeating: 0.1, count: n), shape: shape)
                }
            }
        }
        let cases: [(step: Double, shape: [Int]?, reason: String)] = [
            (2, [3], "optim."),      // a momentum buffer of the wrong shape (SIGSEGV before)
            (-5, nil, "step"),       // a negative step
            (2.5, nil, "step"),      // a fractional one
            (1e6, nil, "step"),      // past the end of the training
        ]
        for c in cases {
            try craft(step: c.step, momentumShape: c.shape)
            try FileManager.default.removeItem(at: entry)
            let resumed = try run(dir, resume: true)
            XCTAssertEqual(resumed.resumed, [], "step \(c.step): nothing is resumed from a bad partial checkpoint")
            XCTAssertEqual(resumed.warnings.count, 1, "\(resumed.warnings)")
            XCTAssertTrue(resumed.warnings.first?.contains(c.reason) ?? false, "\(resumed.warnings)")
            XCTAssertEqual(resumed.results, reference)
        }
        // A well-formed partial checkpoint (step 0, no buffers) is still resumed (from the weights it holds,
        // here the trained ones, so the numbers differ; InterruptResumeTests checks real resumes end equal).
        try craft(step: 0, momentumShape: nil)
        try FileManager.default.removeItem(at: entry)
        let good = try run(dir, resume: true)
        XCTAssertEqual(good.resumed, ["a"])
        XCTAssertEqual(good.warnings, [])
    }
}
