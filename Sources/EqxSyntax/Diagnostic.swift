/// Diagnostics are data: the front end and the executor produce them, and exactly one place renders
/// them (`DiagnosticRenderer` for people, `DiagnosticJSON` for tools).
public enum Severity: String, Sendable, Codable, Comparable {
    case error, warning, note

    private var rank: Int { self == .error ? 2 : self == .warning ? 1 : 0 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A replacement the user can apply to fix the problem ("did you mean 'relu'?").
public struct FixIt: Hashable, Sendable {
    public var range: SourceRange
    public var replacement: String
    public init(range: SourceRange, replacement: String) {
        self.range = range; self.replacement = replacement
    }
}

/// A secondary message, optionally pointing at another place ("the input comes from 'pool' at 11:3").
public struct DiagnosticNote: Hashable, Sendable {
    public var message: String
    public var range: SourceRange?
    public init(_ message: String, range: SourceRange? = nil) {
        self.message = message; self.range = range
    }
}

public struct Diagnostic: Hashable, Sendable {
    /// Stable id by domain: E01xx lexical, E02xx syntax, E03xx shapes, E04xx names and types,
    /// E05xx groups, E06xx training, E07xx merges, E08xx data, E09xx runtime; W… for warnings.
    public var id: String
    public var severity: Severity
    public var message: String
    /// Where the caret goes; `nil` for whole-file problems (an empty file).
    public var range: SourceRange?
    /// Short text printed under the caret.
    public var label: String?
    public var notes: [DiagnosticNote]
    public var help: String?
    public var fixIts: [FixIt]

    public init(id: String, severity: Severity = .error, message: String, range: SourceRange?,
                label: String? = nil, notes: [DiagnosticNote] = [], help: String? = nil, fixIts: [FixIt] = []) {
        self.id = id; self.severity = severity; self.message = message; self.range = range
        self.label = label; self.notes = notes; self.help = help; self.fixIts = fixIts
    }

    public static func error(_ id: String, _ message: String, at range: SourceRange?, label: String? = nil,
                             notes: [DiagnosticNote] = [], help: String? = nil, fixIts: [FixIt] = []) -> Diagnostic {
        Diagnostic(id: id, severity: .error, message: message, range: range, label: label, notes: notes,
                   help: help, fixIts: fixIts)
    }

    public static func warning(_ id: String, _ message: String, at range: SourceRange?, label: String? = nil,
                               notes: [DiagnosticNote] = [], help: String? = nil) -> Diagnostic {
        Diagnostic(id: id, severity: .warning, message: message, range: range, label: label, notes: notes, help: help)
    }
}

/// Collects diagnostics for one source file as a stage runs.
public struct DiagnosticBag: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []
    public init() {}
    public mutating func append(_ d: Diagnostic) { diagnostics.append(d) }
    public mutating func append(contentsOf ds: [Diagnostic]) { diagnostics.append(contentsOf: ds) }
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
