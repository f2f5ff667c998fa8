import ArgumentParser
import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report every error in scripts (names, shapes, groups, training and merge settings) without running them.")

    @ArgumentParser.Argument(help: "Scripts to check (- for standard input).")
    var files: [String]

    @Option(help: "How to print diagnostics: human or json.")
    var diagnosticsFormat: DiagnosticsFormat = .human

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Check with a top-level let's value replaced (repeatable), as `eqx run --set` would run it.", valueName: "name=value"))
    var overrides: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one script") }
        for o in overrides where LetOverride(o) == nil {
            throw ValidationError("--set takes NAME=VALUE, e.g. --set epochs=2 (got '\(o)')")
        }
    }

    func run() throws {
        var worst: Int32 = 0
        for f in files {
            let source: SourceFile, directory: URL
            do { (source, directory) = try ScriptInput.read(f) } catch let e as ExitCode { worst = max(worst, e.rawValue); continue }
            let checked = Pipeline.check(source, baseDirectory: directory, overrides: overrides.compactMap(LetOverride.init))
            DiagnosticPrinter.print(checked.diagnostics, file: source, format: diagnosticsFormat)
            if checked.hasErrors {
                worst = max(worst, checked.missesInput ? Exit.missingInput : Exit.invalidScript)
            } else if diagnosticsFormat == .human {
                let w = checked.diagnostics.filter { $0.severity == .warning }.count
                print("\(f): ok" + (w > 0 ? " (\(w) warning\(w == 1 ? "" : "s"))" : ""))
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }
}

struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt", abstract: "Print scripts in canonical form, or rewrite them in place.")

    @ArgumentParser.Argument(help: "Scripts to format (- for standard input).")
    var files: [String]

    @Flag(help: "Exit 1 if a script is not canonical; change nothing.")
    var check = false

    @Flag(name: .shortAndLong, help: "Rewrite the files in place.")
    var write = false

    func run() throws {
        var unformatted: [String] = []
        for f in files {
            let (source, _) = try ScriptInput.read(f)
            let (script, diagnostics) = EqxSyntax.parse(source)
            if diagnostics.contains(where: { $0.severity == .error }) {
                DiagnosticPrinter.print(diagnostics, file: source, format: .human)
                throw ExitCode(Exit.invalidScript)
            }
            let text = format(script)
            if check {
                if text.utf8.elementsEqual(source.bytes) == false { unformatted.append(f) }
            } else if write && f != "-" {
                try text.write(toFile: f, atomically: true, encoding: .utf8)
            } else {
                print(text, terminator: "")
            }
        }
        if !unformatted.isEmpty {
            for f in unformatted { Terminal.writeError("\(f): not in canonical form (eqx fmt --write \(f))\n") }
            throw ExitCode(1)
        }
    }
}

struct DumpASTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dump-ast", abstract: "Print the syntax tree of a script.")
    @ArgumentParser.Argument(help: "The script (- for standard input).") var file: String
    func run() throws {
        let (source, _) = try ScriptInput.read(file)
        let (script, diagnostics) = EqxSyntax.parse(source)
        DiagnosticPrinter.print(diagnostics, file: source, format: .human)
        dump(script.strippingRanges())
        if diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(Exit.invalidScript) }
    }
}

struct DumpIRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dump-ir", abstract: "Print the checked, typed program of a script.")
    @ArgumentParser.Argument(help: "The script (- for standard input).") var file: String
    func run() throws {
        let (source, directory) = try ScriptInput.read(file)
        let checked = Pipeline.check(source, baseDirectory: directory)
        DiagnosticPrinter.print(checked.diagnostics, file: source, format: .human)
        guard let program = checked.program else { throw ExitCode(Exit.invalidScript) }
        print("seed \(program.seed)")
        for step in program.steps { print(IRPrinter.describe(step)) }
    }
}
