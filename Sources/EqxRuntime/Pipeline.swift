import EqxIR
import EqxSyntax
import Foundation

/// The front end in one call: parse, resolve, check. Shared by `eqx run`, `eqx check` and the REPL so
/// every entry point reports exactly the same diagnostics.
public struct CheckedScript {
    public var file: SourceFile
    public var script: Script
    public var program: Program?
    public var diagnostics: [Diagnostic]
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    /// Data that cannot be read (E0801) or a named dataset not on this machine (E0803): exit 66.
    public var missesInput: Bool { diagnostics.contains { $0.id == "E0801" || $0.id == "E0803" } }
    /// The canonical text (`eqx fmt`), which is what a run records as `operative.eqx`.
    public var canonicalSource: String { format(script) }
}

public enum Pipeline {
    /// Parses and checks `file`; the checker runs only when parsing found no errors, so every error it
    /// reports is about a well-formed script. `seed` (`eqx run --seed`) replaces the script's seed in the
    /// tree, so the canonical text says which seed ran. `overrides` (`eqx run --set NAME=VALUE`) replace
    /// top-level `let` values the same way. `session` is the REPL's (shadowing, `:forget`).
    public static func check(_ file: SourceFile, baseDirectory: URL, seed: UInt64? = nil,
                             overrides: [LetOverride] = [], session: SessionRules? = nil,
                             readsCheckpoints: Bool = true) -> CheckedScript {
        var (script, syntax) = parse(file)
        if syntax.contains(where: { $0.severity == .error }) {
            return CheckedScript(file: file, script: script, program: nil, diagnostics: syntax)
        }
        if let seed { script = script.replacingSeed(with: seed) }
        if !overrides.isEmpty {
            let (overridden, problems) = script.overridingLets(overrides)
            script = overridden
            if problems.contains(where: { $0.severity == .error }) {
                return CheckedScript(file: file, script: script, program: nil, diagnostics: syntax + problems)
            }
        }
        let checker = Checker(file: file, probe: FileDataProbe(baseDirectory: baseDirectory, readsCheckpoints: readsCheckpoints),
                              session: session)
        let (program, semantic) = checker.check(script)
        return CheckedScript(file: file, script: script, program: program, diagnostics: syntax + semantic)
    }
}
