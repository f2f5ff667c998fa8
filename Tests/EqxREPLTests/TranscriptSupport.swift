@testable import EqxREPL
import Foundation
import XCTest

/// Drives a session line by line and collects what it answered.
struct Transcript {
    let session: ReplSession
    var responses: [ReplResponse] = []

    init(_ session: ReplSession = ReplSession(options: ReplOptions(threads: 1))) {
        self.session = session
    }

    /// Submits every line; returns the combined answer to them.
    @discardableResult
    mutating func type(_ lines: String...) -> ReplResponse {
        var all = ReplResponse()
        for l in lines {
            let r = session.submit(l)
            responses.append(r)
            all.append(r)
        }
        return all
    }
}

func XCTAssertContains(_ text: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(text.contains(fragment), "expected to find\n\(fragment)\nin\n\(text)", file: file, line: line)
}

func XCTAssertNotContains(_ text: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(text.contains(fragment), "did not expect\n\(fragment)\nin\n\(text)", file: file, line: line)
}

/// Statements the tests build sessions from: the built-in digits and networks small enough to train in a
/// fraction of a second in a debug build.
enum Fixture {
    static let digits = "data digits = builtin.digits"
    static let flip = "group flip = mirror(horizontal)"
    static let mlp = ["net mlp(hidden: 32) {", "  flatten", "  linear -> hidden", "  relu", "  linear -> 10", "}"]
    static let conv = ["net tiny(width: 4) {", "  conv 3x3 -> width pad 1", "  relu", "  global avgpool", "  linear -> 10", "}"]
    static let trainSmall = "train small = mlp on digits.train { mode nominal; optimizer sgd(lr: 0.1, momentum: 0.9); batch 32; steps 100 }"

    /// A session with digits, flip and both nets declared (nothing trained).
    static func declared(file: StaticString = #filePath, line: UInt = #line) -> Transcript {
        var t = Transcript()
        for input in [digits, flip] + mlp + conv {
            let r = t.type(input)
            XCTAssertNil(r.failure, r.errors, file: file, line: line)
        }
        return t
    }

    /// `declared()` plus the trained `small`.
    static func trained(file: StaticString = #filePath, line: UInt = #line) -> Transcript {
        var t = declared(file: file, line: line)
        let r = t.type(trainSmall)
        XCTAssertNil(r.failure, r.errors, file: file, line: line)
        return t
    }
}

/// The package root, found from this file's path (Tests/EqxREPLTests/…).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `eqx` binary, or a skip when it has not been built.
func eqxBinary() throws -> URL {
    for configuration in ["debug", "release"] {
        let url = packageRoot.appendingPathComponent(".build/\(configuration)/eqx")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw XCTSkip("build the eqx binary first (swift build --product eqx)")
}

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("eqx-repl-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Runs a process to completion; returns status, standard output and standard error.
@discardableResult
func runProcess(_ executable: URL, _ arguments: [String], input: String? = nil, directory: URL? = nil,
                environment: [String: String]? = nil) throws -> (status: Int32, output: String, errors: String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    if let d = directory { p.currentDirectoryURL = d }
    if let e = environment { p.environment = e }
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
    try inp.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
