import Foundation
import XCTest
import EqxTestSupport

/// Missing and corrupt data files: a clear message naming the file (and the byte offset), exit 66.
final class DataErrorTests: XCTestCase {
    static func script(_ directory: String) -> String {
        """
        eqx 1
        data mnist = idx("\(directory)")
        net mlp {
          flatten
          linear -> 10
        }
        train t = mlp on mnist.train { epochs 1 }
        report accuracy(t, mnist.test)

        """
    }

    /// A valid IDX image file: magic 0x00000803, count, rows, cols (big-endian), then pixels.
    static func images(count: Int, side: Int, magic: UInt32 = 0x0803, truncateBy: Int = 0) -> Data {
        var d = Data()
        for v in [magic, UInt32(count), UInt32(side), UInt32(side)] { withUnsafeBytes(of: v.bigEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: (0..<(count * side * side)).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        return d.prefix(d.count - truncateBy)
    }

    static func labels(count: Int) -> Data {
        var d = Data()
        for v in [UInt32(0x0801), UInt32(count)] { withUnsafeBytes(of: v.bigEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: (0..<count).map { UInt8($0 % 10) })
        return d
    }

    func writeIDX(_ dir: URL, trainImages: Data) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try trainImages.write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
        try Self.labels(count: 40).write(to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
        try Self.images(count: 20, side: 6).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Self.labels(count: 20).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
    }

    func testValidGeneratedIDXRuns() throws {
        let dir = try temporaryDirectory(self, "eqx-idx-ok")
        try writeIDX(dir.appendingPathComponent("idx"), trainImages: Self.images(count: 40, side: 6))
        let script = dir.appendingPathComponent("ok.eqx")
        try Self.script("idx").write(to: script, atomically: true, encoding: .utf8)
        let r = try eqx(["run", script.path, "--out", "out", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testMissingDirectoryExits66NamingThePath() throws {
        let dir = try temporaryDirectory(self, "eqx-idx-missing")
        let script = dir.appendingPathComponent("missing.eqx")
        try Self.script("no/such/mnist").write(to: script, atomically: true, encoding: .utf8)
        for sub in ["check", "run"] {
            let r = try eqx([sub, script.path], in: dir)
            XCTAssertEqual(r.status, 66, "eqx \(sub): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(dir.appendingPathComponent("no/such/mnist").path), r.stderr)
            XCTAssertTrue(r.stderr.contains("missing.eqx:2:14"), "points at the data statement: \(r.stderr)")
        }
    }

    func testWrongMagicNamesTheFileAndOffset() throws {
        let dir = try temporaryDirectory(self, "eqx-idx-magic")
        try writeIDX(dir.appendingPathComponent("idx"), trainImages: Self.images(count: 40, side: 6, magic: 0x0804))
        let script = dir.appendingPathComponent("magic.eqx")
        try Self.script("idx").write(to: script, atomically: true, encoding: .utf8)
        for sub in ["check", "run"] {
            let r = try eqx([sub, script.path, ], in: dir)
            XCTAssertEqual(r.status, 66, "eqx \(sub): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("train-images-idx3-ubyte"), r.stderr)
            XCTAssertTrue(r.stderr.contains("byte 0"), r.stderr)
            XCTAssertTrue(r.stderr.contains("magic"), r.stderr)
        }
    }

    func testTruncatedFileNamesTheFileAndOffset() throws {
        let dir = try temporaryDirectory(self, "eqx-idx-truncated")
        try writeIDX(dir.appendingPathComponent("idx"), trainImages: Self.images(count: 40, side: 6, truncateBy: 50))
        let script = dir.appendingPathComponent("truncated.eqx")
        try Self.script("idx").write(to: script, atomically: true, encoding: .utf8)
        let r = try eqx(["run", script.path, "--out", "out"], in: dir)
        XCTAssertEqual(r.status, 66, r.stderr)
        XCTAssertTrue(r.stderr.contains("train-images-idx3-ubyte"), r.stderr)
        XCTAssertNotNil(r.stderr.range(of: #"byte \d+"#, options: .regularExpression), r.stderr)
    }
}
