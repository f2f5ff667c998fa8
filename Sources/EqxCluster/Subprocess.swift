import Foundation

/// An external program's outcome.
public struct CommandOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// What the program said, for error messages: standard error, else standard output.
    public var message: String {
        let e = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return e.isEmpty ? stdout.trimmingCharacters(in: .whitespacesAndNewlines) : e
    }
}

enum Subprocess {
    /// The executable `name` on the PATH, or nil.
    static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> URL? {
        for dir in (path ?? "").split(separator: ":") where !dir.isEmpty {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Runs a program to completion; its output goes through files so neither stream can block it.
    static func run(_ executable: URL, _ arguments: [String]) throws -> CommandOutput {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("eqx-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out"), err = tmp.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw ClusterError("cannot run \(executable.path): \(error.localizedDescription)")
        }
        p.waitUntilExit()
        let text = { (u: URL) in (try? String(contentsOf: u, encoding: .utf8)) ?? "" }
        return CommandOutput(status: p.terminationStatus, stdout: text(out), stderr: text(err))
    }
}

/// Quotes a word for /bin/sh.
func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
