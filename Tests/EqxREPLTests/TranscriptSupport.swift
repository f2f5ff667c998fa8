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

/// Runs a process to completion; returns status, standard output and standard error.
///
/// posix_spawn and waitpid rather than Foundation's Process, whose end-of-process detection waits for an
/// inherited descriptor that a daemon started by the child (the tmux server) keeps open forever.
@discardableResult
func runProcess(_ executable: URL, _ arguments: [String], input: String? = nil, directory: URL? = nil) throws
    -> (status: Int32, output: String, errors: String) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("eqx-process-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let inPath = scratch.appendingPathComponent("in").path
    let outPath = scratch.appendingPathComponent("out").path
    let errPath = scratch.appendingPathComponent("err").path
    try Data((input ?? "").utf8).write(to: URL(fileURLWithPath: inPath))

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    // A shell changes directory, so no process-wide chdir is needed.
    var command = "exec " + ([executable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    if let d = directory { command = "cd '\(d.path)' && " + command }
    let parts: [String] = ["/bin/sh", "-c", command]
    let argv: [UnsafeMutablePointer<CChar>?] = parts.map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
    guard spawned == 0 else { throw NSError(domain: "posix_spawn", code: Int(spawned)) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitStatus, try String(contentsOfFile: outPath, encoding: .utf8), try String(contentsOfFile: errPath, encoding: .utf8))
}
