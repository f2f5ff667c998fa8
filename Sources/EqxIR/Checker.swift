import EqxGroups
import EqxSyntax

/// Resolves names, evaluates expressions, infers every shape and checks groups, training and merge
/// configuration — all before a tensor exists. Produces the typed `Program` or diagnostics.
public final class Checker {
    let file: SourceFile
    let probe: DataProbe
    var diagnostics: [Diagnostic] = []
    var reported: Set<String> = []
    var steps: [Step] = [] { didSet { while scopes.count < steps.count { scopes.append(instanceSuffix) } } }
    var scopes: [String] = []
    var seed: UInt64 = 0
    var seedSet = false
    var networks: [String: NetworkSpec] = [:]
    var groups: [String: GroupSpec] = [:]
    /// Scope suffix of the current repetition, e.g. `#2` or `[lr=0.1]#0`.
    var instanceSuffix = ""
    /// The base name each declaration's instances get, by the declaration's position in the source: a
    /// name declared again in another loop body gets `name~2`, so the two never share an instance id.
    var declarationNames: [Int: String] = [:]
    var declarationCounts: [String: Int] = [:]
    var rowKey: String?
    /// Offsets of the names a loop bound to its instances (`plain` after `repeat 3 { train plain … }`): a
    /// later declaration of the name takes it over instead of being a redefinition.
    var familyDefinitions: Set<Int> = []
    var outputNames = OutputNames()
    var scope = Scope(parent: nil)
    /// dim E per network, group and channel action, so repetitions do not count it again.
    var subspaceCache: [SubspaceKey: (FiniteGroup, EquivariantDimensions)?] = [:]
    /// Every error call, repeated ones included: a failure is noticed even when its message was shown before.
    var errorCount = 0
    let session: SessionRules?
    /// Declarations (by the offset of their name) that a statement tried to instantiate or expand.
    var instantiatedDeclarations: Set<Int> = []
    /// For each use of a top-level name (by its offset): where that name was declared.
    public private(set) var resolutions: [Int: (use: SourceRange, definition: Int)] = [:]
    /// Top-level declarations in order, and the offsets of those a later one shadowed or `:forget` removed.
    public private(set) var topLevelDefinitions: [(name: String, range: SourceRange)] = []
    public private(set) var hiddenDefinitions: Set<Int> = []

    /// Bytes a run may allocate (memory estimates above it are errors).
    let memoryBudget: Double

    /// `session` (the REPL's) lets a declaration shadow an earlier one of the same name and removes names
    /// at given points; a script gets neither.
    public init(file: SourceFile, probe: DataProbe = BuiltinDataProbe(), memoryBudget: Double = Checker.defaultMemoryBudget,
                session: SessionRules? = nil) {
        self.file = file; self.probe = probe; self.memoryBudget = memoryBudget; self.session = session
    }

    /// Checks a parsed script. Returns nil when any error was found.
    public func check(_ script: Script) -> (Program?, [Diagnostic]) {
        outputNames.collectExplicitNames(in: script.statements)
        var forgetting = (session?.forgotten ?? []).sorted { $0.offset < $1.offset }[...]
        for statement in script.statements {
            while let f = forgetting.first, f.offset <= statement.range.start {
                forget(f.name)
                forgetting.removeFirst()
            }
            checkStatement(statement)
        }
        for f in forgetting { forget(f.name) }
        checkUninstantiatedDeclarations(script)
        var program = Program(seed: seed, steps: steps, networks: networks, groups: groups)
        program.scopes = scopes
        let hasErrors = diagnostics.contains { $0.severity == .error }
        return (hasErrors ? nil : program, diagnostics)
    }

    // MARK: Diagnostics

    /// Records a diagnostic once, even when a repeat body is checked for every repetition.
    func report(_ d: Diagnostic) {
        let key = "\(d.id)|\(d.range?.start ?? -1)|\(d.message)"
        if reported.insert(key).inserted { diagnostics.append(d) }
    }

    func error(_ id: String, _ message: String, at range: SourceRange?, label: String? = nil,
               notes: [DiagnosticNote] = [], help: String? = nil, fixIts: [FixIt] = []) {
        errorCount += 1
        report(.error(id, message, at: range, label: label, notes: notes, help: help, fixIts: fixIts))
    }

    func warning(_ id: String, _ message: String, at range: SourceRange?, label: String? = nil,
                 notes: [DiagnosticNote] = [], help: String? = nil) {
        report(.warning(id, message, at: range, label: label, notes: notes, help: help))
    }

    func location(_ range: SourceRange) -> String {
        "\(file.name):\(file.location(of: range.start))"
    }

    /// "unknown name" with a did-you-mean over everything visible.
    func unknownName(_ name: String, at range: SourceRange, expected: String, candidates extra: [String] = []) {
        let candidates = scope.allNames() + extra
        var help: String? = nil
        var fixIts: [FixIt] = []
        if let s = suggestion(for: name, among: candidates) {
            help = "did you mean '\(s)'?"
            fixIts = [FixIt(range: range, replacement: s)]
        }
        error("E0401", "unknown \(expected) '\(name)'", at: range, label: "not found", help: help, fixIts: fixIts)
    }

    // MARK: Statements

    func checkStatement(_ statement: Statement) {
        defer { poisonIfUndefined(statement) }
        switch statement.kind {
        case .version:
            return   // the parser validates the version (E0202)
        case .seed(let e):
            guard let n = nonNegativeInteger(e, what: "seed") else { return }
            if seedSet && instanceSuffix.isEmpty {
                warning("W0401", "seed set twice; the last one wins", at: statement.keywordRange)
            }
            seed = UInt64(n); seedSet = true
        case .let(let name, let e):
            guard let v = evaluate(e) else { return }
            define(name, .value(v))
        case .data(let name, let e, let clauses):
            checkData(name: name, source: e, clauses: clauses, range: statement.range)
        case .group(let name, let e):
            guard var v = evaluate(e) else { return }
            if case .symbol("trivial") = v { v = .group(.trivial, name: "trivial") }
            if case .symbol("translations") = v { v = .group(.translations(.both), name: "translations") }
            guard case .group(let g, _) = v else {
                error("E0403", "'\(name.name)' must be a group, but the expression is a \(v.typeName)", at: e.range,
                      help: "groups are trivial, mirror(horizontal), mirror(vertical), rotations(4), dihedral(4), translations, translations(width), symmetric(n), products G * H, or semidirect(translations, K)")
                return
            }
            groups[name.name] = g
            define(name, .value(.group(g, name: name.name)))
        case .net(let name, let params, let clauses):
            define(name, .net(NetDeclaration(name: name.name, parameters: params, clauses: clauses, range: name.range)))
        case .block(let name, let params, let clauses):
            define(name, .block(NetDeclaration(name: name.name, parameters: params, clauses: clauses, range: name.range)))
        case .train(let name, let model, let data, let clauses):
            checkTrain(name: name, model: model, data: data, clauses: clauses, statement: statement)
        case .merge(let name, let a, let b, let clauses):
            checkMerge(name: name, base: a, target: b, clauses: clauses, statement: statement)
        case .report(let name, let items):
            checkReport(items, name: name, statement: statement)
        case .plot(let name, let items, let title, let size):
            checkPlot(items, name: name, title: title, size: size, statement: statement)
        case .save(let model, let path):
            checkSave(model: model, path: path, statement: statement)
        case .repeat(let countExpr, let variable, let body):
            guard let count = positiveInteger(countExpr, what: "repeat count") else { return }
            if count > 10_000 {
                error("E0407", "repeat count \(count) is too large", at: countExpr.range, help: "at most 10000 repetitions")
                return
            }
            let before = instanceSuffix, beforeRow = rowKey, seedBefore = seed  // a seed set in the body stays in it
            let tablesBefore = Set(steps.compactMap { if case .report(let r) = $0 { return r.table } else { return nil } })
            var families = RepetitionFamilies()
            for r in 0..<count {
                instanceSuffix = before + "#\(r)"
                rowKey = (beforeRow.map { $0 + ", " } ?? "") + "rep \(r)"
                withChildScope {
                    if let v = variable { define(v, .value(.number(Double(r), isInteger: true))) }
                    for s in body { checkStatement(s) }
                    collectInstances(of: body, into: &families)
                }
            }
            instanceSuffix = before; rowKey = beforeRow; seed = seedBefore
            defineFamilies(families)
            summarizeNewTables(since: tablesBefore)
        case .for(let variable, let seqExpr, let body):
            guard let seq = evaluate(seqExpr) else { return }
            let values: [Value]
            switch seq {
            case .list(let vs): values = vs
            case .range(let a, let b) where a == a.rounded() && b == b.rounded() && b >= a && b - a < 10_000 && abs(a) < 1e15 && abs(b) < 1e15:
                values = stride(from: Int(a), through: Int(b), by: 1).map { .number(Double($0), isInteger: true) }
            default:
                error("E0403", "'for' needs a list such as [0.1, 0.05] or an integer range, got a \(seq.typeName)",
                      at: seqExpr.range)
                return
            }
            let before = instanceSuffix, beforeRow = rowKey, seedBefore = seed  // a seed set in the body stays in it
            let tablesBefore = Set(steps.compactMap { if case .report(let r) = $0 { return r.table } else { return nil } })
            var families = RepetitionFamilies()
            for v in values {
                instanceSuffix = before + "[\(variable.name)=\(v.display)]"
                rowKey = (beforeRow.map { $0 + ", " } ?? "") + "\(variable.name)=\(v.display)"
                withChildScope {
                    define(variable, .value(v))
                    for s in body { checkStatement(s) }
                    collectInstances(of: body, into: &families)
                }
            }
            instanceSuffix = before; rowKey = beforeRow; seed = seedBefore
            defineFamilies(families)
            summarizeNewTables(since: tablesBefore)
        }
    }

    private func summarizeNewTables(since before: Set<String>) {
        var seen = Set<String>()
        for case .report(let r) in steps where !before.contains(r.table) && seen.insert(r.table).inserted {
            steps.append(.summarize(table: r.table))
        }
    }

    func withChildScope(_ body: () -> Void) {
        let saved = scope
        scope = Scope(parent: saved)
        body()
        scope = saved
    }

    func define(_ name: Identifier, _ binding: Binding) {
        if Checker.reservedFunctions.contains(name.name) {
            warning("W0402", "'\(name.name)' hides the built-in of the same name", at: name.range)
        }
        let topLevel = scope.parent == nil
        if let previous = scope.lookupLocal(name.name), !familyDefinitions.contains(previous.range.start) {
            guard topLevel, session?.shadowing == true else {
                error("E0402", "'\(name.name)' is already defined", at: name.range, label: "redefined here",
                      notes: [DiagnosticNote("first defined at \(location(previous.range))", range: previous.range)],
                      help: "choose another name")
                return
            }
            hiddenDefinitions.insert(previous.range.start)
        }
        scope.define(name.name, binding, range: name.range)
        if topLevel { topLevelDefinitions.append((name.name, name.range)) }
    }

    /// A declaration that failed still declares its name, as poisoned: later uses of it are not errors of
    /// their own, so one mistake gives one error.
    private func poisonIfUndefined(_ statement: Statement) {
        let name: Identifier
        switch statement.kind {
        case .let(let n, _), .data(let n, _, _), .group(let n, _), .train(let n, _, _, _), .merge(let n, _, _, _): name = n
        case .version, .seed, .net, .block, .report, .plot, .save, .repeat, .for: return
        }
        guard let found = scope.lookupLocal(name.name) else {
            scope.define(name.name, .poisoned, range: name.range)
            return
        }
        // A failed redefinition in a session hides the old value too, or later uses would quietly take it.
        if found.range != name.range, scope.parent == nil, session?.shadowing == true {
            hiddenDefinitions.insert(found.range.start)
            scope.define(name.name, .poisoned, range: name.range)
        }
    }

    /// `:forget NAME`: the name is unknown from here on (what already used it keeps its value).
    private func forget(_ name: String) {
        guard let found = scope.lookupLocal(name) else { return }
        hiddenDefinitions.insert(found.range.start)
        scope.remove(name)
    }

    /// Looks a name up for a use at `range`, remembering which top-level declaration the use means.
    func resolve(_ name: String, at range: SourceRange) -> (binding: Binding, range: SourceRange)? {
        guard let found = scope.lookup(name) else { return nil }
        if found.isTopLevel { resolutions[range.start] = (range, found.range.start) }
        return (found.binding, found.range)
    }

    /// A declared name with the current repetition's suffix (`plain#3`, `s[i=0]`): how results inside
    /// `repeat`/`for` are told apart. Instance ids name random streams, cache keys, checkpoints and result
    /// keys, so two declarations must never share one, whatever their names: the second declaration of a
    /// name (in another loop body) is `name~2`, the third `name~3`, in source order.
    func instanceID(_ name: Identifier) -> String {
        if let base = declarationNames[name.range.start] { return base + instanceSuffix }
        let n = declarationCounts[name.name, default: 0] + 1
        declarationCounts[name.name] = n
        let base = n == 1 ? name.name : "\(name.name)~\(n)"
        declarationNames[name.range.start] = base
        return base + instanceSuffix
    }

    // MARK: Literal helpers

    func positiveInteger(_ e: Expr, what: String) -> Int? {
        guard let v = evaluate(e) else { return nil }
        if case .number(let x, _) = v, x == x.rounded(), x >= 1, x < 1e12 { return Int(x) }
        error("E0407", "\(what) must be a positive integer, got \(v.display)", at: e.range)
        return nil
    }

    func nonNegativeInteger(_ e: Expr, what: String) -> Int? {
        guard let v = evaluate(e) else { return nil }
        if case .number(let x, _) = v, x == x.rounded(), x >= 0, x < 9.2e18 { return Int(x) }  // Int(x) traps above Int.max
        error("E0407", "\(what) must be a non-negative integer, got \(v.display)", at: e.range)
        return nil
    }

    func number(_ e: Expr, what: String) -> Double? {
        guard let v = evaluate(e) else { return nil }
        if case .number(let x, _) = v { return x }
        error("E0403", "\(what) must be a number, got \(v.typeName) \(v.display)", at: e.range)
        return nil
    }

    func string(_ e: Expr, what: String) -> String? {
        guard let v = evaluate(e) else { return nil }
        if case .string(let s) = v { return s }
        error("E0403", "\(what) must be a string, got \(v.typeName)", at: e.range)
        return nil
    }

    func symbol(_ e: Expr, what: String, among allowed: [String]) -> String? {
        let name: String
        switch e.kind {
        case .identifier(let s): name = s
        case .string(let s): name = s
        default:
            error("E0403", "\(what) must be one of \(allowed.joined(separator: ", "))", at: e.range)
            return nil
        }
        if allowed.contains(name) { return name }
        let s = suggestion(for: name, among: allowed)
        error("E0404", "unknown \(what) '\(name)'", at: e.range, label: "expected one of \(allowed.joined(separator: ", "))",
              help: s.map { "did you mean '\($0)'?" }, fixIts: s.map { [FixIt(range: e.range, replacement: $0)] } ?? [])
        return nil
    }

    static let reservedFunctions: Set<String> = [
        "accuracy", "loss", "invariance", "equivariance", "distance_to_E", "gradient_identity", "parameters", "load", "orbit", "pairs",
        "mirror", "rotations", "dihedral", "translations", "symmetric", "semidirect", "idx", "cifar10", "npy", "npz", "csv",
        "block_graphs", "builtin",
    ]
}

/// A `net` or `block` declaration, instantiated when it meets data.
struct NetDeclaration {
    var name: String
    var parameters: [Parameter]
    var clauses: [Clause]
    var range: SourceRange
}

enum Binding {
    case value(Value)
    case net(NetDeclaration)
    case block(NetDeclaration)
    case data(DataSpec)
    case train(id: String, network: NetworkSpec, data: DataRef, loss: LossKind)
    case merge(id: String, network: NetworkSpec, spec: MergeSpec)
    /// A declaration that failed: uses of it report nothing more.
    case poisoned
}

/// How a REPL session's accumulated script is checked differently from a script file.
public struct SessionRules: Sendable {
    /// A top-level declaration may reuse a name: it shadows the earlier one (as in GHCi) instead of E0402.
    public var shadowing: Bool
    /// Names `:forget` removed, each from the first statement at or after `offset` on.
    public var forgotten: [(offset: Int, name: String)]
    public init(shadowing: Bool = true, forgotten: [(offset: Int, name: String)] = []) {
        self.shadowing = shadowing; self.forgotten = forgotten
    }
}

final class Scope {
    let parent: Scope?
    private var names: [String: (Binding, SourceRange)] = [:]
    init(parent: Scope?) { self.parent = parent }

    func define(_ name: String, _ b: Binding, range: SourceRange) { names[name] = (b, range) }
    func remove(_ name: String) { names[name] = nil }
    func lookupLocal(_ name: String) -> (binding: Binding, range: SourceRange)? {
        names[name].map { ($0.0, $0.1) }
    }
    /// `isTopLevel`: found in the script's own scope, not in a net's parameters or a loop's variable.
    func lookup(_ name: String) -> (binding: Binding, range: SourceRange, isTopLevel: Bool)? {
        if let (b, r) = names[name] { return (b, r, parent == nil) }
        return parent?.lookup(name)
    }
    func allNames() -> [String] { Array(names.keys) + (parent?.allNames() ?? []) }
}
