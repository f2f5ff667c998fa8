import ArgumentParser
import EqxData
import Foundation

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Fetch the datasets the field uses.", subcommands: [Get.self])

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Download a dataset from its canonical source, verify checksums, and write it atomically.",
            discussion: "Files that are already present and verify are not downloaded again.")

        @ArgumentParser.Argument(help: "mnist, fashion-mnist or cifar10.")
        var dataset: String

        @Option(help: "Directory for the files (default: ~/.cache/eqx/<dataset>).")
        var to: String?

        @Option(help: "Base URL to download from instead of the canonical one (mirrors, tests).")
        var baseURL: String?

        func run() throws {
            guard let which = DownloadableDataset(rawValue: dataset) else {
                Terminal.error("unknown dataset '\(dataset)'",
                               help: "choose one of \(DownloadableDataset.allCases.map(\.rawValue).joined(separator: ", "))")
                throw ExitCode(Exit.usage)
            }
            let dir = to.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/eqx/\(dataset)")
            do {
                let report = try DatasetDownloader().download(which, to: dir, baseURL: baseURL.flatMap(URL.init(string:)))
                for f in report.files { print("  \(report.reused.contains(f) ? "present" : "fetched")  \(f.path)") }
                print("\(dataset) is in \(report.directory.path); use it with: data d = \(which == .cifar10 ? "cifar10" : "idx")(\"\(report.directory.path)\")")
            } catch let e as DataError {
                Terminal.error("\(e)")
                throw ExitCode(Exit.ioError)
            }
        }
    }
}
