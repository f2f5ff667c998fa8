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
/// A directory that holds another run (another script, seed, thread count, data or eqx version: the run id
/// in `.eqx-run`, or in `results.json`/`run.json` of an older eqx) first loses that run's files: those the
/// marker lists, the fixed names, `checkpoints/`, and the line-numbered tables and figures of eqx before
/// stable report names (`report_line*.csv`, `plot_line*.svg|pdf`), which no marker lists. The training
/// cache (`cache/`) is kept: it is keyed by content, not by run. A directory holding the same run is written
/// again, which gives the same bytes.
final class RunDirectory {
    let url: URL
    private var descriptor: Int32

    /// Exit status for a directory that another process is writing (EX_CANTCREAT).
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
            replacedRun = other
            try clearArtefacts()
        }
        try record(runID: runID, files: [])
    }

    /// The run whose files were removed to make room for this one.
    private(set) var replacedRun: String?

    /// Writes the marker: the run id, then the files of the run (relative paths), so a later run can remove them.
    func record(runID: String, files: [String]) throws {
        try AtomicFile.write(([runID] + files).joined(separator: "\n") + "\n", to: url.appendingPathComponent(RunDirectory.markerName))
    }

    private func clearArtefacts() throws {
        let fm = FileManager.default
        var doomed = ["results.json", "operative.eqx", "run.json", "report.html", "checkpoints"]
        if let marker = try? String(contentsOf: url.appendingPathComponent(RunDirectory.markerName), encoding: .utf8) {
            doomed += marker.split(separator: "\n").dropFirst().map(String.init)
                .filter { !$0.hasPrefix("/") && !$0.split(separator: "/").contains("..") && !$0.hasPrefix("cache") }
        }
        for name in (try? fm.contentsOfDirectory(atPath: url.path)) ?? [] {
            let csv = name.hasPrefix("report_line") && name.hasSuffix(".csv")
            let figure = name.hasPrefix("plot_line") && (name.hasSuffix(".svg") || name.hasSuffix(".pdf"))
            if csv || figure { doomed.append(name) }
        }
        // results.json first: from here on the directory claims no finished run.
        for name in doomed {
            let path = url.appendingPathComponent(name).path
            guard fm.fileExists(atPath: path) else { continue }
            do {
                try fm.removeItem(atPath: path)
            } catch {
                throw DataError.io(path: path, reason: "cannot remove a file of the run this directory held: \(error.localizedDescription)")
            }
        }
    }

    deinit { release() }

    func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    /// The run id the directory's files belong to: the marker, else `results.json` or `run.json` of an
    /// earlier eqx; an `operative.eqx` with neither belongs to a run of unknown id.
    static func recordedRun(in url: URL) -> String? {
        let marker = url.appendingPathComponent(markerName)
        if let text = try? String(contentsOf: marker, encoding: .utf8) {
            return text.split(separator: "\n").first.map(String.init) ?? ""
        }
        for name in ["results.json", "run.json"] {
            guard let data = try? Data(contentsOf: url.appendingPathComponent(name)), data.count < 1 << 28,
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            if let id = object["run_id"] as? String { return id }
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("operative.eqx").path) { return "(unknown id)" }
        return nil
    }
}
