import EqxSyntax

/// Names of report tables and plot figures. They are file names in the run directory (`NAME.csv`,
/// `NAME.svg`) and keys in `results.json`, so they must not depend on where the statement sits in the file:
/// a comment added above a report must not rename its table. A statement's `NAME =` wins; otherwise the name
/// comes from the plot's title or the items' labels. A statement inside a loop keeps one name for all its
/// repetitions (its rows go into one table).
struct OutputNames {
    enum Kind { case report, plot }

    /// Names written as `report NAME =` / `plot NAME =` anywhere in the script, so a derived name never
    /// takes one that a later statement spells out.
    private var explicit: [Kind: [String: Int]] = [:]
    /// Name by statement offset, and the statement that owns each name (with its derived files' names).
    private var byStatement: [Kind: [Int: String]] = [:]
    private var owners: [Kind: [String: Int]] = [:]

    /// Suffixes the runtime appends to a name: a loop's summary table, a plot's second and third charts.
    static func companions(_ kind: Kind) -> [String] {
        switch kind {
        case .report: return ["_summary"]
        case .plot: return ["_accuracy", "_distance"]
        }
    }

    mutating func collectExplicitNames(in statements: [Statement]) {
        for s in statements {
            switch s.kind {
            case .report(let name?, _): explicit[.report, default: [:]][name.name] = s.range.start
            case .plot(let name?, _, _, _): explicit[.plot, default: [:]][name.name] = s.range.start
            case .repeat(_, _, let body), .for(_, _, let body): collectExplicitNames(in: body)
            case .report, .plot, .version, .seed, .let, .data, .group, .net, .block, .train, .merge, .save: break
            }
        }
    }

    /// The statement's name if it already has one (a loop body checked again), else nil.
    func name(of statement: Int, _ kind: Kind) -> String? { byStatement[kind]?[statement] }

    /// The offset of another statement that owns `name` or shares a file with it (`x` and `x_summary`).
    func owner(of name: String, _ kind: Kind, except statement: Int) -> Int? {
        OutputNames.clash(name, kind, in: owners[kind] ?? [:], except: statement)
    }

    /// A free name from `base`: `base`, then `base_2`, `base_3`, …, never one another statement spells out.
    func uniqueDerivedName(_ base: String, _ kind: Kind, statement: Int) -> String {
        var candidate = base, k = 2
        while owner(of: candidate, kind, except: statement) != nil
                || OutputNames.clash(candidate, kind, in: explicit[kind] ?? [:], except: statement) != nil {
            candidate = base + "_\(k)"; k += 1
        }
        return candidate
    }

    private static func clash(_ name: String, _ kind: Kind, in table: [String: Int], except statement: Int) -> Int? {
        let suffixes = companions(kind)
        let candidates = [name] + suffixes.map { name + $0 } + suffixes.compactMap { name.hasSuffix($0) ? String(name.dropLast($0.count)) : nil }
        return candidates.lazy.compactMap { table[$0] }.first { $0 != statement }
    }

    mutating func assign(_ name: String, to statement: Int, _ kind: Kind) {
        byStatement[kind, default: [:]][statement] = name
        owners[kind, default: [:]][name] = statement
    }

    /// `accuracy(a, digits.test)` → `accuracy_a_digits_test`: lower-case letters, digits and single
    /// underscores, at most 32 characters cut at an underscore; "report"/"plot" when nothing is left.
    static func slug(_ parts: [String], fallback: String) -> String {
        var words: [String] = []
        for part in parts {
            var word = ""
            for ch in part {
                if ch.isASCII && (ch.isLetter || ch.isNumber) { word.append(contentsOf: ch.lowercased()) } else if !word.isEmpty {
                    words.append(word); word = ""
                }
            }
            if !word.isEmpty { words.append(word) }
        }
        var text = ""
        for w in words {
            let next = text.isEmpty ? w : text + "_" + w
            if next.count > 32 { if text.isEmpty { text = String(w.prefix(32)) }; break }
            text = next
        }
        if let first = text.first, first.isNumber { text = fallback + "_" + text }
        return text.isEmpty ? fallback : text
    }
}

extension Checker {
    /// The name of a report's table or a plot's figure (see `OutputNames`); nil after a diagnostic.
    func outputName(_ explicitName: Identifier?, derivedFrom parts: [String], _ kind: OutputNames.Kind,
                    statement: Statement) -> String? {
        let offset = statement.range.start
        if let known = outputNames.name(of: offset, kind) { return known }
        let what = kind == .report ? "report" : "plot"
        if let n = explicitName {
            if let other = outputNames.owner(of: n.name, kind, except: offset) {
                let taken = outputNames.name(of: other, kind) ?? n.name
                let message = taken == n.name ? "\(what) name '\(n.name)' already names the \(what) at \(position(other))"
                    : "\(what) name '\(n.name)' clashes with the files of the \(what) '\(taken)' at \(position(other))"
                error("E0411", message, at: n.range,
                      label: "used again", help: "give each \(what) its own name; its files are \(n.name)"
                        + (kind == .report ? ".csv" : ".svg") + " in the run directory")
                return nil
            }
            outputNames.assign(n.name, to: offset, kind)
            return n.name
        }
        let name = outputNames.uniqueDerivedName(OutputNames.slug(parts, fallback: what), kind, statement: offset)
        outputNames.assign(name, to: offset, kind)
        return name
    }

    private func position(_ offset: Int) -> String {
        let l = file.location(of: offset)
        return "line \(l.line)"
    }
}
