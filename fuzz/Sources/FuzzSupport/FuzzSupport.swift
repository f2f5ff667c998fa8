#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EqxData
import Foundation

/// libFuzzer's entry point when the program supplies its own `main` (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Hands control to libFuzzer, which calls `callback` with each input.
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

/// The bytes of one input.
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    size == 0 ? [] : Array(UnsafeBufferPointer(start: data!, count: size))
}

/// A scratch directory of this process (on tmpfs when there is one): loaders read files, so the harness
/// writes each input to a file and hands the loader its URL.
public let scratch: URL = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let url = URL(fileURLWithPath: base).appendingPathComponent("eqx-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: scratch.path) }
    return url
}()

/// Writes `bytes` to `name` in the scratch directory.
@discardableResult
public func scratchFile(_ name: String, _ bytes: [UInt8]) -> URL {
    let url = scratch.appendingPathComponent(name)
    precondition(FileManager.default.createFile(atPath: url.path, contents: Data(bytes)), "cannot write \(url.path)")
    return url
}

/// Runs a loader: its result, or nil when it threw a `DataError` that names `file`. Any other error
/// traps (libFuzzer records the input as a crash), as does a format error without a byte offset.
public func expectDataError<T>(naming file: String, _ body: () throws -> T) -> T? {
    do {
        return try body()
    } catch let error as DataError {
        let message = error.description
        precondition(message.contains(file), "error does not name \(file): \(message)")
        switch error {
        case .badMagic, .truncated, .labelOutOfRange, .badCompressedStream, .unsupported, .malformed, .nonFinite:
            precondition(message.range(of: #"byte \d+"#, options: .regularExpression) != nil, "no byte offset: \(message)")
        case .missingFile, .missingFiles, .missingMember, .io, .countMismatch, .checksumMismatch, .download, .invalidArgument:
            break
        }
        return nil
    } catch {
        preconditionFailure("not a DataError: \(error)")
    }
}
