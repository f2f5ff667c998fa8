import Foundation

/// Turns SVG figures into PDF with `rsvg-convert` (Debian's `librsvg2-bin`) when it is installed: a
/// maintained renderer, never one of our own. Without it, runs write SVG only.
public struct FigureConverter: Sendable {
    public let executable: URL

    /// The converter on `PATH`, or nil.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> FigureConverter? {
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("rsvg-convert")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return FigureConverter(executable: candidate) }
        }
        return nil
    }

    /// Writes `pdf` from `svg` (through a temporary file renamed into place, like every artefact of a run).
    public func convert(_ svg: URL, toPDF pdf: URL) throws {
        let temporary = try AtomicFile.temporaryURL(for: pdf)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--format", "pdf", "--output", temporary.path, svg.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DataError.io(path: pdf.path, reason: "cannot run \(executable.path): \(error.localizedDescription)")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: temporary.path) else {
            try? FileManager.default.removeItem(at: temporary)
            let text = String(decoding: message.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DataError.io(path: pdf.path, reason: "rsvg-convert failed (status \(process.terminationStatus))" + (text.isEmpty ? "" : ": \(text)"))
        }
        try AtomicFile.replace(pdf, with: temporary)
    }
}
