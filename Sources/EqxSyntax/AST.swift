/// The abstract syntax tree of an eqx script.
///
/// The grammar is deliberately regular (grammar/eqx.ebnf): top-level statements have their own shapes,
/// but everything inside braces — layers of a network, options of data/train/merge — is a `Clause`:
/// `[label ":"] head {argument ","} ["->" output] {modifier value} ["{" clauses "}"]`.
/// The checker gives clauses their meaning, so the parser stays small and its recovery simple.

public struct Identifier: Hashable, Sendable {
    public var name: String
    public var range: SourceRange
    public init(_ name: String, range: SourceRange = .none) { self.name = name; self.range = range }
}

public enum UnaryOperator: String, Hashable, Sendable { case negate = "-" }

public enum BinaryOperator: String, Hashable, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    /// Binding power for the printer and parser: higher binds tighter.
    public var precedence: Int { self == .add || self == .subtract ? 1 : 2 }
}

public struct Argument: Hashable, Sendable {
    /// `lr` in `sgd(lr: 0.1)`; nil for positional arguments.
    public var label: Identifier?
    public var value: Expr
    public init(label: Identifier? = nil, value: Expr) { self.label = label; self.value = value }
}

public indirect enum ExprKind: Hashable, Sendable {
    /// A number as written; `text` keeps the spelling so `eqx fmt` does not rewrite 5e-4 as 0.0005.
    case number(value: Double, isInteger: Bool, text: String)
    case string(String)
    case bool(Bool)
    case identifier(String)
    /// `3x3`, `14x14`, `3x3x3`: sizes written with an `x`.
    case dimensions([Int])
    case member(Expr, Identifier)
    case call(Expr, [Argument])
    case index(Expr, Expr)
    /// `a..b`, inclusive of both ends; `step` only from `a..b step s` inside clauses.
    case range(Expr, Expr)
    case list([Expr])
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// Placeholder left by error recovery; never reaches the checker without an error diagnostic.
    case error
}

public struct Expr: Hashable, Sendable {
    public var kind: ExprKind
    public var range: SourceRange
    public init(_ kind: ExprKind, range: SourceRange = .none) { self.kind = kind; self.range = range }
}

/// `pad 1`, `every 10`, `on digits.train`: a keyword followed by one expression.
public struct Modifier: Hashable, Sendable {
    public var name: Identifier
    public var value: Expr
    public init(name: Identifier, value: Expr) { self.name = name; self.value = value }
}

/// Comments kept for `eqx fmt`: whole-line comments before a node and one comment after it on its line.
/// Each string is the comment as written, from `#` to the end of the line without trailing spaces.
public struct Trivia: Hashable, Sendable {
    public var leadingComments: [String] = []
    public var trailingComment: String?
    /// For a node with braces: the comment after `{` on the header line.
    public var openingComment: String?
    /// For a node with braces: whole-line comments after the last item, before `}`.
    public var closingComments: [String] = []
    public init(leadingComments: [String] = [], trailingComment: String? = nil,
                openingComment: String? = nil, closingComments: [String] = []) {
        self.leadingComments = leadingComments; self.trailingComment = trailingComment
        self.openingComment = openingComment; self.closingComments = closingComments
    }
}

/// One line inside braces: a layer (`conv1: conv 3x3 -> width pad 1`) or an option (`optimizer sgd(lr: 0.1)`).
public struct Clause: Hashable, Sendable {
    public var label: Identifier?
    public var head: Identifier
    public var arguments: [Expr]
    public var output: Expr?
    public var modifiers: [Modifier]
    /// `residual { ... }` and other nested clause lists.
    public var body: [Clause]?
    /// The second branch after the body: `residual { ... } shortcut { ... }`.
    public var shortcut: [Clause]?
    public var trivia: Trivia
    /// Comments inside the shortcut's braces.
    public var shortcutTrivia: Trivia
    public var range: SourceRange

    public init(label: Identifier? = nil, head: Identifier, arguments: [Expr] = [], output: Expr? = nil,
                modifiers: [Modifier] = [], body: [Clause]? = nil, shortcut: [Clause]? = nil, trivia: Trivia = Trivia(),
                shortcutTrivia: Trivia = Trivia(), range: SourceRange = .none) {
        self.label = label; self.head = head; self.arguments = arguments; self.output = output
        self.modifiers = modifiers; self.body = body; self.shortcut = shortcut; self.trivia = trivia
        self.shortcutTrivia = shortcutTrivia; self.range = range
    }
}

/// A parameter of a `net` or `block`: `width: 32` (default) or `width` (required).
public struct Parameter: Hashable, Sendable {
    public var name: Identifier
    public var defaultValue: Expr?
    public init(name: Identifier, defaultValue: Expr? = nil) { self.name = name; self.defaultValue = defaultValue }
}

/// `acc: accuracy(plain, digits.test)` in a report; the label names the column.
public struct ReportItem: Hashable, Sendable {
    public var label: Identifier?
    public var value: Expr
    public init(label: Identifier? = nil, value: Expr) { self.label = label; self.value = value }
}

public indirect enum StatementKind: Hashable, Sendable {
    /// `eqx 1`
    case version(Expr)
    /// `seed 7`
    case seed(Expr)
    /// `let width = 2 * 16`
    case `let`(Identifier, Expr)
    /// `data fashion = idx("/usr/share/datasets/fashion-mnist") { resize 14x14 }`
    case data(Identifier, Expr, [Clause])
    /// `group flip = mirror(horizontal)`
    case group(Identifier, Expr)
    /// `net cnn(width: 32) { conv 3x3 -> width pad 1; relu; ... }`
    case net(Identifier, [Parameter], [Clause])
    /// `block stage(c) { ... }`: a reusable layer sequence, used as a layer `stage(64)`.
    case block(Identifier, [Parameter], [Clause])
    /// `train plain = cnn(width: 16) on digits.train { mode nominal; ... }`
    case train(Identifier, model: Expr, data: Expr, [Clause])
    /// `merge self = aug with flip(aug) { match activations on digits.train[0..500]; ... }`
    case merge(Identifier, Expr, with: Expr, [Clause])
    /// `report [NAME =] acc: accuracy(plain, digits.test), self.barrier`; NAME names the table (its CSV file).
    case report(name: Identifier?, [ReportItem])
    /// `plot self: m.curve, pair.curve [as "title"] [size column]`; a label `group.series:` places a scalar
    /// in a strip chart; `plot NAME = …` names the figure's files.
    case plot(name: Identifier?, [ReportItem], title: Expr?, size: Expr?)
    /// `save plain to "plain.safetensors"`
    case save(Expr, path: Expr)
    /// `repeat 5 [as r] { ... }`: each repetition has its own seed stream.
    case `repeat`(count: Expr, variable: Identifier?, [Statement])
    /// `for lr in [0.1, 0.05] { ... }`
    case `for`(variable: Identifier, sequence: Expr, [Statement])
}

public struct Statement: Hashable, Sendable {
    public var kind: StatementKind
    public var trivia: Trivia
    /// The whole statement; `keywordRange` is the leading keyword, where a caret for the statement goes.
    public var range: SourceRange
    public var keywordRange: SourceRange
    public init(_ kind: StatementKind, trivia: Trivia = Trivia(), range: SourceRange = .none,
                keywordRange: SourceRange = .none) {
        self.kind = kind; self.trivia = trivia; self.range = range; self.keywordRange = keywordRange
    }
}

public struct Script: Hashable, Sendable {
    public var statements: [Statement]
    /// Comments after the last statement.
    public var trailingComments: [String]
    public init(statements: [Statement], trailingComments: [String] = []) {
        self.statements = statements; self.trailingComments = trailingComments
    }
}
