import EqxData
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Claims a run directory for one run: one writer at a time (an advisory `flock` on `.eqx.lock`, released
/// by the kernel when the process ends, however it ends), and never the files of two different runs mixed
/// in one directory.
///
/// A directory that already holds another run (another script, seed, thread count, data or eqx version,
/// recorded in `.eqx-run`, `results.json` or `run.json`) is refused: its results stay as they were.
/// A directory holding the same run is written again, which gives the same bytes.
final class RunDirectory {
    let url: URL
    private var descriptor: Int32

    /// Exit status for a directory that cannot be claimed (EX_CANTCREAT).
    static let refusedExitCode: Int32 = 73
    static let lockName = ".eqx.lock"
    static let markerName = ".eqx-run"

    init(_ url: URL, runID: String, scriptName: String) throws {
        self.url = url
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw DataError.io(path: url.path, reason: "cannot create the run directory: \(error.localizedDescription)")
        }
        let lockPath = url.appendingPathComponent(RunDirectory.lockName).path
        descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DataError.io(path: lockPath, reason: "cannot create the lock file: \(String(cString: strerror(errno)))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            descriptor = -1
            throw RuntimeError("run directory \(url.path) is being written by another eqx process"
                               + (holder.map { $0.isEmpty ? "" : " (\($0))" } ?? "")
                               + "; wait for it to finish or choose another --out", exitCode: RunDirectory.refusedExitCode)
        }
        // Who holds the lock, for the message above (the lock itself is the flock, not this text).
        _ = ftruncate(descriptor, 0)
        let holder = "pid \(ProcessInfo.processInfo.processIdentifier)\n"
        _ = holder.withCString { write(descriptor, $0, strlen($0)) }

        if let other = RunDirectory.recordedRun(in: url), other != runID {
            release()
            throw RuntimeError("run directory \(url.path) holds run \(other), not this run \(runID) of \(scriptName) "
                               + "(another script, seed, thread count, data or eqx version); its files are left as they are. "
                               + "Choose another --out, or delete the directory to reuse it", exitCode: RunDirectory.refusedExitCode)
        }
        try AtomicFile.write(runID + "\n", to: url.appendingPathComponent(RunDirectory.markerName))
    }

    deinit { release() }

    func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    /// The run id the directory's files belong to: the marker, else `results.json` or `run.json` of an
    /// earlier eqx. A directory with an `operative.eqx` but no record of its run is someone's else's too.
    static func recordedRun(in url: URL) -> String? {
        let marker = url.appendingPathComponent(markerName)
        if let text = try? String(contentsOf: marker, encoding: .utf8) {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for name in ["results.json", "run.json"] {
            guard let data = try? Data(contentsOf: url.appendingPathComponent(name)), data.count < 1 << 28,
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            if let id = object["run_id"] as? String { return id }
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("operative.eqx").path) { return "of unknown id" }
        return nil
    }
}
