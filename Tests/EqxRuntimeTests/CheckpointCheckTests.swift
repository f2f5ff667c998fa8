import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation
import XCTest
import EqxTestSupport

/// `load("f.safetensors", net)` is checked by `eqx check`: a missing, malformed or misshapen checkpoint is an
/// error at the path before anything trains.
final class CheckpointCheckTests: XCTestCase {
    static let script = """
        eqx 1
        data digits = builtin.digits
        net mlp(width: 4) {
          flatten
          linear -> width
          relu
          linear -> 10
        }
        train t = mlp on digits.train[0..99] { epochs 1 }
        let m = load("c.safetensors", mlp(width: 4), data: digits)
        report acc: accuracy(m, digits.test)
        """

    func diagnostics(_ dir: URL) -> [Diagnostic] {
        Pipeline.check(SourceFile(name: "t.eqx", text: Self.script), baseDirectory: dir).diagnostics
    }

    func write(_ tensors: [String: [Int]], to dir: URL, value: Float = 0) throws {
        try SafeTensors.write(tensors.mapValues { SafeTensor(floats: [Float](repeating: value, count: $0.reduce(1, *)), shape: $0) },
                              to: dir.appendingPathComponent("c.safetensors"))
    }

    static let fitting = ["linear1.weight": [4, 64], "linear1.bias": [4], "linear2.weight": [10, 4], "linear2.bias": [10]]

    func testFittingCheckpointPasses() throws {
        let dir = try temporaryDirectory(self, "eqx-ckpt-ok")
        try write(Self.fitting.merging(["extra.num_batches_tracked": [1]]) { a, _ in a }, to: dir)
        XCTAssertEqual(diagnostics(dir).filter { $0.severity == .error }.map(\.id), [])
    }

    func testMisshapenCheckpointIsE0805AtThePath() throws {
        let dir = try temporaryDirectory(self, "eqx-ckpt-shape")
        var wrong = Self.fitting
        wrong["linear1.weight"] = [8, 64]
        wrong["linear2.bias"] = nil
        try write(wrong, to: dir)
        let errors = diagnostics(dir).filter { $0.severity == .error }
        XCTAssertEqual(errors.map(\.id), ["E0805"])
        let e = try XCTUnwrap(errors.first)
        let file = SourceFile(name: "t.eqx", text: Self.script)
        XCTAssertEqual(e.range.map { file.location(of: $0.start).line }, 10)
        XCTAssertEqual(e.range.map { String(Self.script.utf8.dropFirst($0.start).prefix($0.end - $0.start))! }, "\"c.safetensors\"")
        XCTAssertEqual(Set(e.notes.map(\.message)), ["'linear1.weight' has shape [8, 64], the network needs [4, 64]",
                                                     "'linear2.bias' is missing (the network needs [10])"])
    }

    func testMissingCheckpointWarnsAndMalformedOnesAreE0801() throws {
        let dir = try temporaryDirectory(self, "eqx-ckpt-bad")
        // Missing is a warning: the file may be written before the statement runs.
        let missing = diagnostics(dir)
        XCTAssertEqual(missing.map(\.id), ["W0802"])
        XCTAssertTrue(missing.first?.message.contains("does not exist") ?? false, "\(missing)")

        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("c.safetensors"))
        let malformed = diagnostics(dir).filter { $0.severity == .error }
        XCTAssertEqual(malformed.map(\.id), ["E0801"])
        XCTAssertTrue(malformed[0].help?.contains("malformed") ?? false, "\(malformed[0])")

        try write(Self.fitting, to: dir, value: .nan)
        let nonFinite = diagnostics(dir).filter { $0.severity == .error }
        XCTAssertEqual(nonFinite.map(\.id), ["E0801"])
        XCTAssertTrue(nonFinite.first?.message.contains("must be finite") ?? false, "\(nonFinite)")
    }
}
