import EqxSyntax

/// A layer clause being read by its kind's `build`: the clause, the shape coming in, and the checker's
/// helpers for arguments, options and positioned diagnostics.
public final class LayerClause {
    public let clause: Clause
    /// The per-sample input shape.
    public let input: [Int]
    let checker: Checker
    var options: ModifierReader
    /// Layer names and the "input comes from" layer; a residual's branches build through it.
    var builder: NetworkBuilder
    let prefix: String

    init(_ clause: Clause, input: [Int], checker: Checker, builder: NetworkBuilder, prefix: String) {
        self.clause = clause; self.input = input; self.checker = checker; self.builder = builder; self.prefix = prefix
        options = ModifierReader(clause: clause, checker: checker)
    }

    var head: String { clause.head.name }

    func error(_ id: String, _ message: String, at range: SourceRange? = nil, label: String? = nil, help: String? = nil) {
        checker.error(id, message, at: range ?? clause.head.range, label: label, help: help)
    }

    /// A shape error with the layer the input came from.
    func shapeError(_ message: String, expected: String, id: String = "E0301") {
        checker.shapeError(clause, message, expected: expected, builder: builder, id: id)
    }

    func shapeText(_ shape: [Int]) -> String { "[N, " + shape.map(String.init).joined(separator: ", ") + "]" }

    func needImage() -> Bool {
        if input.count == 3 { return true }
        shapeError("'\(head)' needs an image-shaped input [N, C, H, W], got \(shapeText(input))", expected: "[N, C, H, W]")
        return false
    }

    func noArguments() -> Bool {
        if clause.arguments.isEmpty && clause.output == nil { return true }
        checker.error("E0406", "'\(head)' takes no arguments", at: clause.arguments.first?.range ?? clause.output!.range)
        return false
    }

    /// `-> 64`.
    func outputCount() -> Int? {
        guard let o = clause.output else {
            error("E0406", "'\(head)' needs an output size: \(head) -> 64"); return nil
        }
        return checker.positiveInteger(o, what: "output size")
    }

    /// `in 32`: the input size the script expects, checked against the real one.
    func expectInput(_ actual: Int, message: (Int) -> String, expected: (Int) -> String) -> Bool {
        guard let want = options.positive("in"), want != actual else { return true }
        shapeError(message(want), expected: expected(want))
        return false
    }

    func positiveInteger(_ e: Expr, what: String) -> Int? { checker.positiveInteger(e, what: what) }
    func nonNegativeInteger(_ e: Expr, what: String) -> Int? { checker.nonNegativeInteger(e, what: what) }
    func number(_ e: Expr, what: String) -> Double? { checker.number(e, what: what) }
    func symbol(_ e: Expr, what: String, among: [String]) -> String? { checker.symbol(e, what: what, among: among) }

    /// Builds a nested clause list (a residual's body or shortcut) from `shape`.
    func buildBranch(_ clauses: [Clause], shape: inout [Int]) -> [Layer]? {
        builder.depth += 1
        defer { builder.depth -= 1 }
        return checker.buildLayers(clauses, shape: &shape, builder: &builder, prefix: prefix)
    }
}
