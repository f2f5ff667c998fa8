import Foundation
import XCTest

/// The built `eqx` executable (`.build/release/eqx` when newer than `.build/debug/eqx`), for the tests that
/// need a separate process: signals, exit codes, a fresh process per run.
enum EqxBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func require() throws -> URL {
        let fm = FileManager.default
        let candidates = ["release", "debug"].map { packageRoot.appendingPathComponent(".build/\($0)/eqx") }
            .filter { fm.isExecutableFile(atPath: $0.path) }
        func modified(_ u: URL) -> Date {
            ((try? fm.attributesOfItem(atPath: u.path))?[.modificationDate] as? Date) ?? .distantPast
        }
        guard let u = candidates.max(by: { modified($0) < modified($1) }) else {
            XCTFail("no eqx binary: run `swift build --product eqx` (or -c release) in \(packageRoot.path) first")
            throw XCTSkip("eqx binary missing")
        }
        return u
    }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var seconds: Double
}

/// A running `eqx` whose output goes to files, so a test can watch it and signal it.
final class EqxProcess {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL
    let started = Date()

    init(_ arguments: [String], directory: URL) throws {
        stdoutURL = directory.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        stderrURL = directory.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = try EqxBinary.require()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var stdoutSoFar: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    func wait(timeout: Double = 180) -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            XCTFail("eqx \(process.arguments ?? []) did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: stdoutSoFar,
                             stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "",
                             seconds: Date().timeIntervalSince(started))
    }
}

@discardableResult
func eqx(_ arguments: [String], in directory: URL, timeout: Double = 180) throws -> ProcessResult {
    try EqxProcess(arguments, directory: directory).wait(timeout: timeout)
}

func temporaryDirectory(_ test: XCTestCase, _ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

func jsonObject(_ url: URL) throws -> [String: Any] {
    try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], url.path)
}

/// Small scripts on the built-in digits: fast in a release build, but with training, tracking, evaluation,
/// a merge and reports, so every kind of number is in results.json.
enum Scripts {
    static let small = """
        eqx 1
        seed 5
        data digits = builtin.digits
        group flip = mirror(horizontal)
        net cnn(width: 4) {
          conv 3x3 -> width pad 1
          batchnorm
          relu
          maxpool 2
          flatten
          linear -> 10
        }
        train a = cnn on digits.train[0..499] {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          batch 50
          epochs 2
          track loss, accuracy every 5
          evaluate digits.test
        }
        train b = cnn on digits.train[0..499] {
          mode augmented(flip, random)
          optimizer sgd(lr: 0.05)
          batch 50
          epochs 2
          track distance_to_E(flip) every 5
        }
        merge m = a with b {
          match activations on digits.train[0..199]
          alpha 0..1 step 0.5
          reset batchnorm on digits.train[0..199]
        }
        report acc: accuracy(a, digits.test), barrier: m.barrier, inv: invariance(b, flip, digits.test)

        """

    /// Two short trainings, then a merge long enough to be interrupted: every α of a fine grid resets batch
    /// norm on all 1,397 training digits and evaluates on both splits.
    static let longMerge = """
        eqx 1
        seed 3
        data digits = builtin.digits
        net cnn(width: 16) {
          conv 3x3 -> width pad 1
          batchnorm
          relu
          conv 3x3 -> width pad 1
          batchnorm
          relu
          maxpool 2
          conv 3x3 -> 2 * width pad 1
          relu
          global avgpool
          linear -> 10
        }
        train a = cnn on digits.train {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          steps 30
        }
        train b = cnn on digits.train {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          steps 30
        }
        merge m = a with b {
          match activations on digits.train
          alpha 0..1 step 0.025
          reset batchnorm on digits.train
          evaluate digits.train, digits.test
        }
        report barrier: m.barrier, acc: accuracy(a, digits.test)

        """

    /// Long enough (many epochs of a CNN on all 1,397 training digits) to be interrupted mid-training.
    static func slow(epochs: Int) -> String {
        """
        eqx 1
        seed 9
        data digits = builtin.digits
        net cnn(width: 16) {
          conv 3x3 -> width pad 1
          relu
          conv 3x3 -> width pad 1
          relu
          maxpool 2
          conv 3x3 -> 2 * width pad 1
          relu
          global avgpool
          linear -> 10
        }
        train long = cnn on digits.train {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          batch 32
          epochs \(epochs)
          track loss, accuracy every 10
          evaluate digits.test
        }
        report acc: accuracy(long, digits.test)

        """
    }
}
