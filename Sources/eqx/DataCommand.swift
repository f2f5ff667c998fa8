import ArgumentParser
import EqxData
import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Find, fetch and export the datasets scripts name.",
        discussion: """
        A script names a dataset (`data d = mnist`, `fashion_mnist`, `cifar10`, `builtin.digits`) instead of a \
        path. eqx looks for it in each directory of EQX_DATA (colon-separated), then in the cache that \
        `eqx data get` fills (~/.cache/eqx), then in /usr/share/datasets (Debian's dataset packages), and \
        verifies the files against their published checksums before a run uses them.
        """,
        subcommands: [List.self, Get.self, Export.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Show every dataset a script can name and where it was found (or where eqx looked).")

        @Flag(help: "Only locate the files; do not verify their checksums.")
        var noVerify = false

        func run() throws {
            let path = DataSearchPath.standard()
            print("builtin.digits  built in: 1,797 8x8 digits, train 1,397 / test 400")
            for dataset in NamedDataset.allCases {
                let name = dataset.scriptName.padding(toLength: 14, withPad: " ", startingAt: 0)
                guard let dir = path.locate(dataset) else {
                    print("\(name)  not found (`\(dataset.fetchCommand)`); looked in:")
                    for candidate in path.candidates(for: dataset) { print("                  \(candidate.path)") }
                    continue
                }
                if noVerify {
                    print("\(name)  \(dir.path)")
                    continue
                }
                do {
                    try dataset.verify(in: dir)
                    print("\(name)  \(dir.path) (verified)")
                } catch {
                    print("\(name)  \(dir.path) DOES NOT VERIFY: \(error)")
                }
            }
            let env = ProcessInfo.processInfo.environment["EQX_DATA"].map { "EQX_DATA=\($0)" } ?? "EQX_DATA unset"
            print("search path (\(env)): " + path.directories.map(\.path).joined(separator: ":"))
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Download a dataset from its canonical source, verify checksums, and write it atomically.",
            discussion: "Files that are already present and verify are not downloaded again; files that do not verify are replaced.")

        @ArgumentParser.Argument(help: "mnist, fashion_mnist (or fashion-mnist) or cifar10.")
        var dataset: String

        @Option(help: "Directory for the files (default: ~/.cache/eqx/<dataset>, where scripts find it by name).")
        var to: String?

        @Option(help: "Base URL to download from instead of the canonical one (mirrors, tests).")
        var baseURL: String?

        func run() throws {
            guard let which = NamedDataset(anyName: dataset) else {
                let names = NamedDataset.allCases.map(\.scriptName)
                Terminal.error("unknown dataset '\(dataset)'",
                               help: suggestion(for: dataset, among: names).map { "did you mean '\($0)'?" }
                                   ?? "choose one of \(names.joined(separator: ", "))")
                throw ExitCode(Exit.usage)
            }
            let download = which.downloadable
            let dir = to.map { URL(fileURLWithPath: $0) }
                ?? DataSearchPath.userCache().appendingPathComponent(download.rawValue)
            do {
                let report = try DatasetDownloader().download(download, to: dir, baseURL: baseURL.flatMap(URL.init(string:)))
                for f in report.files { print("  \(report.reused.contains(f) ? "present" : "fetched")  \(f.path)") }
                print("\(which.scriptName) is in \(report.directory.path); use it with: data d = \(which.scriptName)")
            } catch let e as DataError {
                Terminal.error("\(e)")
                throw ExitCode(Exit.ioError)
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a dataset, after its options, as NumPy files: <split>_inputs.npy (float32) and <split>_labels.npy (int64).",
            discussion: """
            NAME is a dataset name (builtin.digits, mnist, fashion_mnist, cifar10), or with --script the name of a \
            `data` statement of that script, exported after its options (split, resize, normalize, limit, augment).
            """)

        @ArgumentParser.Argument(help: "The dataset, or a data statement of --script.")
        var name: String

        @Option(help: "The directory to write into (created if needed).")
        var to: String

        @Option(help: "A script whose data statement NAME is exported.")
        var script: String?

        func run() throws {
            let source: SourceFile, directory: URL, id: String
            if let script {
                (source, directory) = try ScriptInput.read(script)
                id = name
            } else {
                guard let declared = DataExport.declaration(of: name) else {
                    let names = DataExport.knownNames
                    Terminal.error("unknown dataset '\(name)'",
                                   help: suggestion(for: name, among: names).map { "did you mean '\($0)'?" }
                                       ?? "choose one of \(names.joined(separator: ", ")), or give --script FILE")
                    throw ExitCode(Exit.usage)
                }
                source = SourceFile(name: "<data \(declared.id)>", text: declared.source)
                directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                id = declared.id
            }
            let checked = Pipeline.check(source, baseDirectory: directory)
            DiagnosticPrinter.print(checked.diagnostics, file: source, format: .human)
            guard let program = checked.program, !checked.hasErrors else {
                throw ExitCode(checked.missesInput ? Exit.missingInput : Exit.invalidScript)
            }
            let specs = program.steps.compactMap { step -> DataSpec? in
                if case .data(let d) = step { return d } else { return nil }
            }
            guard let spec = specs.first(where: { $0.id == id }) else {
                let names = specs.map(\.id)
                Terminal.error("\(source.name) declares no data '\(id)'",
                               help: suggestion(for: id, among: names).map { "did you mean '\($0)'?" }
                                   ?? "its data: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
                throw ExitCode(Exit.usage)
            }
            do {
                let files = try DataExport.write(spec, baseDirectory: directory, seed: program.seed,
                                                 to: URL(fileURLWithPath: to))
                for f in files { print("  wrote  \(f.path)") }
            } catch let e as RuntimeError {
                Terminal.error(e.message)
                throw ExitCode(e.exitCode)
            } catch DataError.io(let path, let reason) {
                Terminal.error("I/O error: \(path): \(reason)")
                throw ExitCode(Exit.ioError)
            }
        }
    }
}
