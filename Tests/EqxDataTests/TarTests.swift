import XCTest
@testable import EqxData

final class TarTests: XCTestCase {
    func testReadsHandWrittenUstar() throws {
        let archive = tarArchive([("dir/a.bin", [1, 2, 3]), ("b.txt", Array(repeating: 7, count: 1000))])
        let entries = try Tar.entries(archive, file: "x.tar")
        XCTAssertEqual(entries.map(\.name), ["dir/a.bin", "b.txt"])
        XCTAssertEqual(Array(entries[0].contents), [1, 2, 3])
        XCTAssertEqual(entries[1].contents.count, 1000)
        XCTAssertTrue(entries.allSatisfy(\.isRegularFile))
    }

    func testCorruptHeaderAndTruncation() {
        var archive = tarArchive([("a", [1, 2, 3])])
        archive[10] ^= 0x01
        assertDataError(try Tar.entries(archive, file: "c.tar"), contains: ["c.tar", "byte 0", "checksum"])
        let two = tarArchive([("a", [UInt8](repeating: 1, count: 600)), ("b", [2])])
        assertDataError(try Tar.entries(Array(two.prefix(700)), file: "t.tar"), contains: ["t.tar", "byte 512", "truncated"])
        assertDataError(try Tar.entries(Array(two.prefix(1536 + 100)), file: "t.tar"), contains: ["t.tar", "byte 1536"])
    }

    /// GNU tar's own output, including a name longer than 100 bytes and directories.
    func testReadsGNUTarOutput() throws {
        guard let tar = findExecutable("tar") else { throw XCTSkip("tar not available") }
        let dir = try makeTemporaryDirectory(self)
        let long = String(repeating: "n", count: 120)
        let nested = dir.appendingPathComponent("src/sub")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try write([9, 8, 7], to: nested.appendingPathComponent(long))
        try write(Array("hello".utf8), to: dir.appendingPathComponent("src/h.txt"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tar)
        process.currentDirectoryURL = dir
        process.arguments = ["--format=gnu", "-czf", "a.tar.gz", "src"]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let bytes = try Zlib.gunzip([UInt8](try Data(contentsOf: dir.appendingPathComponent("a.tar.gz"))), file: "a.tar.gz")
        let files = try Tar.entries(bytes, file: "a.tar").filter(\.isRegularFile)
        XCTAssertEqual(Set(files.map(\.name)), ["src/sub/\(long)", "src/h.txt"])
        XCTAssertEqual(files.first { $0.name.hasSuffix(long) }.map { Array($0.contents) }, [9, 8, 7])
    }
}
