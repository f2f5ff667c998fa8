import EqxIR
import EqxSyntax
import Foundation

/// What `eqx run` executes: a checked script's program, and its canonical text (`operative.eqx`), which the
/// run records and hashes into its run id.
///
/// Nothing in the program depends on how the script is laid out: tables and figures are named by the
/// script (`report NAME =`, labels, titles), columns by their label or the canonical text of their
/// expression, instances by declaration order. So the user's program is the canonical text's program, and
/// `eqx run operative.eqx` reproduces the run bit for bit without the run checking the text a second time;
/// runtime errors point at the user's own lines.
public struct OperativeScript {
    /// The canonical text: what the run writes as `operative.eqx` and hashes into its run id.
    public let source: String
    public let program: Program

    /// Nil when `checked` has errors, or when its canonical text does not parse to the same tree (formatting
    /// keeps the meaning, so that would be a bug in eqx; parsing is cheap, the data probes of a check are not).
    public init?(_ checked: CheckedScript) {
        guard let program = checked.program, !checked.hasErrors else { return nil }
        let text = checked.canonicalSource
        let (reparsed, syntax) = parse(SourceFile(name: checked.file.name, text: text))
        guard !syntax.contains(where: { $0.severity == .error }),
              reparsed.strippingRanges() == checked.script.strippingRanges() else { return nil }
        source = text
        self.program = program
    }

    /// The range to show for a runtime error: nil for a statement the user did not write (the `seed` that
    /// `--seed` adds has no range in the file).
    public func userRange(of range: SourceRange) -> SourceRange? {
        range.end > range.start ? range : nil
    }
}
