import EqxIR
import EqxSyntax
import Foundation

/// What `eqx run` executes: the canonical text of a checked script (`operative.eqx`), checked on its own.
///
/// Tables are named after the line of their `report` or `plot` and columns after the text of their
/// expressions, so a script that is not in canonical form would name them differently from its
/// `operative.eqx`. Running the canonical text makes `eqx run operative.eqx` reproduce the run bit for bit.
public struct OperativeScript {
    /// The canonical text: what the run writes as `operative.eqx` and hashes into its run id.
    public let source: String
    public let program: Program
    private let statements: [Statement]
    private let userStatements: [Statement]

    /// Nil when `checked` has errors, or when its canonical text does not check (formatting keeps the
    /// meaning, so that would be a bug in eqx).
    public init?(_ checked: CheckedScript, baseDirectory: URL) {
        guard checked.program != nil, !checked.hasErrors else { return nil }
        let text = checked.canonicalSource
        let operative = Pipeline.check(SourceFile(name: checked.file.name, text: text), baseDirectory: baseDirectory)
        guard let program = operative.program, !operative.hasErrors,
              operative.script.strippingRanges() == checked.script.strippingRanges() else { return nil }
        source = text
        self.program = program
        statements = operative.script.statements
        userStatements = checked.script.statements
    }

    /// The range in the user's file of the innermost statement holding `range` of the canonical text: runtime
    /// errors point at statements, and the user should see their own lines. Nil for a statement the user did
    /// not write (the `seed` added by `--seed`).
    public func userRange(of range: SourceRange) -> SourceRange? {
        var operative = statements, user = userStatements
        var found: SourceRange? = nil
        while let i = operative.firstIndex(where: { $0.range.start <= range.start && range.start < $0.range.end }) {
            found = user[i].range
            guard let inner = Self.body(operative[i]), let userInner = Self.body(user[i]) else { break }
            operative = inner; user = userInner
        }
        guard let r = found, r.end > r.start else { return nil }
        return r
    }

    private static func body(_ s: Statement) -> [Statement]? {
        switch s.kind {
        case .repeat(_, _, let body), .for(_, _, let body): return body
        default: return nil
        }
    }
}
