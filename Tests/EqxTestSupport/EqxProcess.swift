import Foundation
import XCTest

// Running the built `eqx` executable from tests (CLI and runtime end-to-end tests share this).

/// The built `eqx` executable: `.build/release/eqx` when it is newer than `.build/debug/eqx`.
public enum EqxBinary {
    /// This package's root (the folder above `Tests/`).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The scripts in `examples/`, sorted.
    public static var examples: [URL] {
        let dir = packageRoot.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".eqx") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// The newest of the release and debug builds, or nil.
    public static var url: URL? {
        let fm = FileManager.default
        let candidates = ["release", "debug"].map { packageRoot.appendingPathComponent(".build/\($0)/eqx") }
            .filter { fm.isExecutableFile(atPath: $0.path) }
        func modified(_ u: URL) -> Date {
            ((try? fm.attributesOfItem(atPath: u.path))?[.modificationDate] as? Date) ?? .distantPast
        }
        return candidates.max { modified($0) < modified($1) }
    }

    /// The binary, or a test failure (and skip) saying how to build it.
    public static func require() throws -> URL {
        guard let u = url else {
            XCTFail("no eqx binary: run `swift build --product eqx` (or -c release) in \(packageRoot.path) first")
            throw XCTSkip("eqx binary missing")
        }
        return u
    }
}

public struct ProcessResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var seconds: Double
}

/// A running `eqx` process whose output goes to files, so the test can watch and signal it without pipe
/// deadlocks.
public final class EqxProcess {
    public let process = Process()
    public let stdoutURL: URL
    public let stderrURL: URL
    public let started = Date()

    public init(_ arguments: [String], stdin: Data? = nil, directory: URL? = nil, environment: [String: String] = [:]) throws {
        let binary = try EqxBinary.require()
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("eqx-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        stdoutURL = tmp.appendingPathComponent("stdout")
        stderrURL = tmp.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? EqxBinary.packageRoot
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        if let input = stdin {
            let inURL = tmp.appendingPathComponent("stdin")
            try input.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
    }

    public var stdoutSoFar: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// Waits until the process exits (killing it after `timeout` seconds).
    public func wait(timeout: Double = 120) -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            usleep(200_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            XCTFail("eqx \(process.arguments ?? []) did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: stdoutSoFar,
                             stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "",
                             seconds: Date().timeIntervalSince(started))
    }
}

/// Runs `eqx ARGS` to completion.
@discardableResult
public func eqx(_ arguments: [String], stdin: Data? = nil, directory: URL? = nil, timeout: Double = 120) throws -> ProcessResult {
    try EqxProcess(arguments, stdin: stdin, directory: directory).wait(timeout: timeout)
}

/// Runs `eqx ARGS` to completion in `directory`, with the longer limit that runs with training need.
@discardableResult
public func eqx(_ arguments: [String], in directory: URL, timeout: Double = 180) throws -> ProcessResult {
    try eqx(arguments, directory: directory, timeout: timeout)
}

/// A fresh temporary directory, removed when the test ends.
public func temporaryDirectory(_ test: XCTestCase, _ name: String = "eqx-test") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// Writes UTF-8 text atomically.
public func write(_ text: String, to url: URL) throws {
    try text.write(to: url, atomically: true, encoding: .utf8)
}

/// The JSON object in a file.
public func jsonObject(_ url: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: url)
    guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw NSError(domain: "eqx-test", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(url.path) is not a JSON object"])
    }
    return o
}
