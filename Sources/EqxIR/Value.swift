import EqxSyntax

/// What an expression evaluates to at check time. Everything in a script is known before it runs
/// except tensors, so the checker evaluates expressions fully.
public indirect enum Value: Hashable, Sendable {
    case number(Double, isInteger: Bool)
    case string(String)
    case bool(Bool)
    case list([Value])
    case dimensions([Int])
    case range(Double, Double)
    /// A bare word that names no declaration: `horizontal`, `regular`, `activations`, `nominal`.
    case symbol(String)
    case group(GroupSpec, name: String)
    /// A data source expression (`idx("dir")`) before a `data` statement names it.
    case source(DataSource)
    case data(DataRef)
    case model(ModelRef, NetworkSpec)
    /// A `net` declaration not yet instantiated (`cnn` without arguments uses the defaults).
    case netDeclaration(String)
    /// `cnn(width: 16)`: a declaration with arguments; shapes come when data meets it.
    case netCall(String, arguments: [String: Value], range: SourceRange)
    case blockDeclaration(String)
    /// A merge, or one of its curves (nil: the merge itself, whose quantities are its first curve's).
    case mergeResult(String, curve: MergeVariant? = nil)
    case trainResult(String)
    /// A quantity for report and plot (`accuracy(a, digits.test)`, `m.barrier`).
    case measurement(Measurement)
    /// `m.representation`: a merge's learned channel representation, for `channels:` arguments.
    case learnedChannels(LearnedChannels)

    public var typeName: String {
        switch self {
        case .number(_, let i): return i ? "integer" : "number"
        case .string: return "string"
        case .bool: return "bool"
        case .list: return "list"
        case .dimensions: return "size"
        case .range: return "range"
        case .symbol(let s): return "'\(s)'"
        case .group: return "group"
        case .source: return "data source"
        case .data: return "data"
        case .model: return "network"
        case .netDeclaration, .netCall: return "net declaration"
        case .blockDeclaration: return "block"
        case .mergeResult: return "merge"
        case .trainResult: return "training run"
        case .measurement: return "measurement"
        case .learnedChannels: return "learned representation"
        }
    }

    /// Text used in seed-stream names and table rows (`lr=0.1`).
    public var display: String {
        switch self {
        case .number(let v, _): return formatNumber(v)  // Int(v) would trap on integers beyond Int.max
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .list(let vs): return "[" + vs.map(\.display).joined(separator: ", ") + "]"
        case .dimensions(let d): return d.map(String.init).joined(separator: "x")
        case .range(let a, let b): return "\(formatNumber(a))..\(formatNumber(b))"
        case .symbol(let s): return s
        case .group(_, let n): return n
        case .source(let s): return "\(s)"
        case .data(let d): return d.description
        case .model(let m, _): return m.description
        case .netCall(let n, let args, _):
            return n + "(" + args.keys.sorted().map { "\($0): \(args[$0]!.display)" }.joined(separator: ", ") + ")"
        case .netDeclaration(let n), .blockDeclaration(let n), .mergeResult(let n, _), .trainResult(let n): return n
        case .measurement: return "measurement"
        case .learnedChannels(let l): return l.description
        }
    }
}

func formatNumber(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    return String(v)
}
