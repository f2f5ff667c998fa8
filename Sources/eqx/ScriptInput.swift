import ArgumentParser
import EqxSyntax
import Foundation

/// Reads a script from a path or from standard input (`-`).
enum ScriptInput {
    static func read(_ path: String) throws -> (SourceFile, URL) {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return (SourceFile(name: "<stdin>", bytes: Array(data)), URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            Terminal.error("cannot read '\(path)': no such file")
            throw ExitCode(Exit.missingInput)
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Terminal.error("cannot read '\(path)': permission denied or I/O error")
            throw ExitCode(Exit.ioError)
        }
        return (SourceFile(name: path, bytes: Array(data)), url.deletingLastPathComponent())
    }

    static func stem(_ path: String) -> String {
        path == "-" ? "stdin" : URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}

/// How diagnostics are printed: for people (default) or as JSON for tools.
enum DiagnosticsFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json
}

enum DiagnosticPrinter {
    /// Prints diagnostics to standard error (JSON to standard output, for tools).
    static func print(_ diagnostics: [Diagnostic], file: SourceFile, format: DiagnosticsFormat) {
        switch format {
        case .json:
            Swift.print(DiagnosticJSON.encode(diagnostics, file: file))
        case .human:
            guard !diagnostics.isEmpty else { return }
            let renderer = DiagnosticRenderer()
            let text = renderer.render(diagnostics, in: file, color: Terminal.colorOnStandardError)
            Terminal.writeError(text.hasSuffix("\n") ? text : text + "\n")
        }
    }
}
