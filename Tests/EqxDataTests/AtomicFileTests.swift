import XCTest
@testable import EqxData

final class AtomicFileTests: XCTestCase {
    func testCreatesParentsReplacesAndLeavesNoTemporaries() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("a/b/c.txt")
        try AtomicFile.write(Data("first".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "first")
        try AtomicFile.write("second", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["c.txt"])
    }

    func testFailureLeavesTheOldFileAndNoTemporary() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("target")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("occupied"), withIntermediateDirectories: true)
        // Renaming a file onto a non-empty directory fails: the error names the path.
        assertDataError(try AtomicFile.write(Data("x".utf8), to: url), contains: [url.path, "rename"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["target"])
    }

    func testTemporaryNamesAreDistinct() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("f")
        XCTAssertNotEqual(try AtomicFile.temporaryURL(for: url), try AtomicFile.temporaryURL(for: url))
    }
}
