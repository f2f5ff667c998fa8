import Foundation
import XCTest
@testable import EqxData

/// A scratch directory removed when the test case ends.
func makeTemporaryDirectory(_ testCase: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("eqxdata-tests-\(ProcessInfo.processInfo.processIdentifier)-\(temporaryCounter.next())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

final class TemporaryCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
let temporaryCounter = TemporaryCounter()

func write(_ bytes: [UInt8], to url: URL) throws {
    try Data(bytes).write(to: url)
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
}

func littleEndian16(_ value: Int) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8 & 0xff)] }
func littleEndian32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * $0) & 0xff) } }

/// IDX image file bytes: magic 0x803, count, height, width, pixels.
func idxImages(count: Int, height: Int, width: Int, pixel: (Int, Int) -> UInt8 = { i, k in UInt8((i * 7 + k) % 256) }) -> [UInt8] {
    var bytes = bigEndian(0x803) + bigEndian(UInt32(count)) + bigEndian(UInt32(height)) + bigEndian(UInt32(width))
    for i in 0..<count { for k in 0..<(height * width) { bytes.append(pixel(i, k)) } }
    return bytes
}

/// IDX label file bytes: magic 0x801, count, labels.
func idxLabels(_ labels: [UInt8]) -> [UInt8] {
    bigEndian(0x801) + bigEndian(UInt32(labels.count)) + labels
}

/// CIFAR-10 binary records: label, then 3072 pixel bytes.
func cifarRecords(_ labels: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = []
    for (i, label) in labels.enumerated() {
        bytes.append(label)
        for k in 0..<3072 { bytes.append(UInt8((i * 31 + k) % 256)) }
    }
    return bytes
}

/// A zip archive with the given members, stored or deflated, as `numpy.savez` writes them.
func zipArchive(_ members: [(name: String, content: [UInt8], deflate: Bool)]) -> [UInt8] {
    var out: [UInt8] = []
    var directory: [UInt8] = []
    for member in members {
        let data = member.deflate ? Zlib.deflateRaw(member.content) : member.content
        let crc = Int(Zlib.crc32(member.content[...]))
        let name = Array(member.name.utf8)
        let method = member.deflate ? 8 : 0
        let offset = out.count
        out += littleEndian32(0x0403_4b50) + littleEndian16(20) + littleEndian16(0) + littleEndian16(method)
            + littleEndian16(0) + littleEndian16(0x21) + littleEndian32(crc) + littleEndian32(data.count)
            + littleEndian32(member.content.count) + littleEndian16(name.count) + littleEndian16(0) + name + data
        directory += littleEndian32(0x0201_4b50) + littleEndian16(20) + littleEndian16(20) + littleEndian16(0)
            + littleEndian16(method) + littleEndian16(0) + littleEndian16(0x21) + littleEndian32(crc)
            + littleEndian32(data.count) + littleEndian32(member.content.count) + littleEndian16(name.count)
            + littleEndian16(0) + littleEndian16(0) + littleEndian16(0) + littleEndian16(0) + littleEndian32(0)
            + littleEndian32(offset) + name
    }
    let directoryOffset = out.count
    out += directory
    out += littleEndian32(0x0605_4b50) + littleEndian16(0) + littleEndian16(0) + littleEndian16(members.count)
        + littleEndian16(members.count) + littleEndian32(directory.count) + littleEndian32(directoryOffset) + littleEndian16(0)
    return out
}

/// An npy file of arbitrary dtype from raw little-endian element bytes.
func npyFile(descr: String, shape: [Int], data: [UInt8], fortran: Bool = false) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var dict = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    let unpadded = 10 + dict.utf8.count + 1
    dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    return [0x93] + Array("NUMPY".utf8) + [1, 0] + littleEndian16(dict.utf8.count) + Array(dict.utf8) + data
}

/// Asserts that `body` throws a `DataError` whose message contains every fragment.
func assertDataError<T>(_ body: @autoclosure () throws -> T, contains fragments: [String],
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DataError containing \(fragments)", file: file, line: line)
    } catch let error as DataError {
        let message = error.description
        for fragment in fragments where !message.contains(fragment) {
            XCTFail("error message \"\(message)\" lacks \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
    }
}

/// The directory `../shared/data` next to the package root, or /work/shared/data, if present.
func sharedDataDirectory() -> URL? {
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = [packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data"),
                      URL(fileURLWithPath: "/work/shared/data")]
    return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
}

/// Runs python3 with a script; nil when python3 is missing. Returns the exit status and the
/// standard output (or, when the script failed, its standard error).
func runPython(_ script: String, arguments: [String] = []) -> (status: Int32, output: String)? {
    guard let python = findExecutable("python3") else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-W", "ignore", "-c", script] + arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do { try process.run() } catch { return nil }
    // Drain stderr concurrently so neither pipe can fill up and block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errorData = Box()
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
        drained.signal()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    drained.wait()
    process.waitUntilExit()
    let status = process.terminationStatus
    return (status, String(decoding: status == 0 ? data : errorData.data, as: UTF8.self))
}

func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// A ustar archive of regular files (written by hand from the POSIX header layout).
func tarArchive(_ files: [(name: String, content: [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    for file in files {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { header[offset + i] = b } }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: width - 1 - digits.count) + digits
        }
        put(file.name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(file.content.count, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put("        ", at: 148)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148)
        header[155] = 0x20
        out += header + file.content
        out += [UInt8](repeating: 0, count: (512 - file.content.count % 512) % 512)
    }
    return out + [UInt8](repeating: 0, count: 1024)
}
