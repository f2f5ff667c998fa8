import ArgumentParser
import Foundation

struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Print the path of a run's report.html, and open it in a browser where there is one.",
        discussion: """
        RUNDIR is a run directory, or a directory of runs (runs/<script>), whose most recently written report \
        is shown. A browser is started only with a graphical session (DISPLAY or WAYLAND_DISPLAY) and xdg-open, \
        or with $BROWSER set; otherwise the path is printed for you to open.
        """)

    @ArgumentParser.Argument(help: "The run directory (or a directory of run directories).")
    var runDirectory: String

    @Flag(help: "Only print the path; never start a browser.")
    var print = false

    func run() throws {
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: runDirectory)
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            Terminal.error("\(runDirectory) is not a directory", help: "give a run directory, e.g. runs/quickstart/<run-id>")
            throw ExitCode(Exit.missingInput)
        }
        guard let report = OpenCommand.report(in: dir) else {
            Terminal.error("no report.html in \(runDirectory) or its subdirectories",
                           help: "`eqx run` writes one into every run directory")
            throw ExitCode(Exit.missingInput)
        }
        Swift.print(report.path)
        if !print, let browser = OpenCommand.browser() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [browser, report.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try? process.run()
        }
    }

    /// `dir/report.html`, else the newest `dir/*/report.html`.
    static func report(in dir: URL) -> URL? {
        let direct = dir.appendingPathComponent("report.html")
        if FileManager.default.fileExists(atPath: direct.path) { return direct.standardizedFileURL }
        let children = (try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? []
        let reports = children.map { $0.appendingPathComponent("report.html") }.compactMap { url -> (URL, Date)? in
            guard let date = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date else { return nil }
            return (url.standardizedFileURL, date)
        }
        return reports.max { $0.1 < $1.1 }?.0
    }

    /// `$BROWSER`, or `xdg-open` in a graphical session.
    static func browser() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let b = env["BROWSER"], !b.isEmpty { return b }
        guard env["DISPLAY"] != nil || env["WAYLAND_DISPLAY"] != nil else { return nil }
        for directory in (env["PATH"] ?? "/usr/bin").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/xdg-open") {
            return "xdg-open"
        }
        return nil
    }
}
