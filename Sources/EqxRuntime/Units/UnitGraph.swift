import EqxIR

/// One independently runnable piece of a sweep: a SLURM array task or a process of the local pool.
///
/// A unit is one innermost repetition of a `repeat`/`for` body (all statements of that repetition), or a
/// top-level `train` or `merge`, or a run of consecutive top-level `report`/`plot`/`save` statements. Data
/// declarations run in every unit (they only load); the summary rows of a loop's tables are made when the
/// units are collected.
public struct RunUnit: Hashable, Sendable {
    public var index: Int
    /// `#3`, `[lr=0.1]#0` for a repetition; `train pre`, `merge m`, `report line 12` at the top level.
    public var label: String
    /// The steps (indices into `Program.steps`) this unit owns, in program order.
    public var steps: [Int]
    /// Steps of other units whose models this unit needs, in program order. A unit re-runs them first:
    /// trainings come from the cache that their own unit filled, merges are computed again.
    public var imports: [Int]
    /// Units that must finish first (the owners of `imports`), ascending.
    public var dependencies: [Int]
}

/// The units of a program and what depends on what.
public struct UnitGraph: Hashable, Sendable {
    public var units: [RunUnit]
    /// Steps the collecting job runs itself: the summaries of loop tables, which need every row.
    public var collectSteps: [Int]
    /// The unit owning each step (nil for data and summaries).
    public var owner: [Int?]

    public init(_ program: Program) {
        let steps = program.steps
        let scopes = program.scopes.count == steps.count ? program.scopes : Array(repeating: "", count: steps.count)
        var units: [RunUnit] = []
        var owner = [Int?](repeating: nil, count: steps.count)
        var collect: [Int] = []
        var loopUnit: [String: Int] = [:]
        var lastOwned: Int? = nil   // the unit of the previous owned step
        var statementRuns = Set<Int>()   // units made of consecutive top-level reports, plots and saves
        for (i, step) in steps.enumerated() {
            let scope = scopes[i]
            let u: Int
            switch step {
            case .data: continue
            case .summarize: collect.append(i); continue
            case .train where scope.isEmpty, .merge where scope.isEmpty: u = Self.add(Self.name(step), to: &units)
            case .train, .merge, .report, .plot, .save:
                if !scope.isEmpty {
                    if let existing = loopUnit[scope] { u = existing } else {
                        u = Self.add(scope, to: &units); loopUnit[scope] = u
                    }
                } else if let last = lastOwned, statementRuns.contains(last) {
                    u = last
                } else {
                    u = Self.add(Self.name(step), to: &units); statementRuns.insert(u)
                }
            }
            units[u].steps.append(i)
            owner[i] = u
            lastOwned = u
        }
        // Producers: the step that makes each trained or merged model.
        var producer: [String: Int] = [:]
        for (i, step) in steps.enumerated() {
            switch step {
            case .train(let t): producer["t:" + t.id] = i
            case .merge(let m): producer["m:" + m.id] = i
            case .data, .report, .plot, .save, .summarize: break
            }
        }
        for u in units.indices {
            let own = Set(units[u].steps)
            var needed = Set<Int>()
            var work = units[u].steps
            while let s = work.popLast() {
                for key in Self.references(steps[s]) {
                    guard let p = producer[key], !own.contains(p), needed.insert(p).inserted else { continue }
                    work.append(p)
                }
            }
            units[u].imports = needed.sorted()
            units[u].dependencies = Set(needed.compactMap { owner[$0] }).sorted()
        }
        self.units = units
        self.collectSteps = collect
        self.owner = owner
    }

    private static func add(_ label: String, to units: inout [RunUnit]) -> Int {
        units.append(RunUnit(index: units.count, label: label, steps: [], imports: [], dependencies: []))
        return units.count - 1
    }

    private static func name(_ step: Step) -> String {
        switch step {
        case .report(let r): return "report \(r.table)"
        case .plot(let p): return "plot \(p.name)"
        case .save(let s): return "save \(s.path)"
        case .train(let t): return "train \(t.id)"
        case .merge(let m): return "merge \(m.id)"
        case .data(let d): return "data \(d.id)"
        case .summarize(let t): return "summarize \(t)"
        }
    }

    /// The trained (`t:id`) and merged (`m:id`) models a step reads.
    static func references(_ step: Step) -> Set<String> {
        var out = Set<String>()
        switch step {
        case .train(let t):
            if let m = t.initialWeights { collect(m, into: &out) }
            // `channels: m.representation` reads the merge's permutations.
            if let l = t.channels.learned { out.insert("m:" + l.merge) }
            for case .distanceToE(_, let ch) in t.tracked { if let l = ch.learned { out.insert("m:" + l.merge) } }
        case .merge(let m):
            collect(m.base, into: &out)
            switch m.target {
            case .model(let r): collect(r, into: &out)
            case .transformed, .orbit: break
            }
        case .report(let r): for item in r.items { collect(item.measurement, into: &out) }
        case .plot(let p): for item in p.items { collect(item.measurement, into: &out) }
        case .save(let s): collect(s.model, into: &out)
        case .data, .summarize: break
        }
        return out
    }

    private static func collect(_ ref: ModelRef, into out: inout Set<String>) {
        switch ref {
        case .trained(let id): out.insert("t:" + id)
        case .merged(let id, _, _): out.insert("m:" + id)
        case .loaded: break
        case .transformed(let inner, _, _): collect(inner, into: &out)
        }
    }

    private static func collect(_ m: Measurement, into out: inout Set<String>) {
        switch m {
        case .number, .text: break
        case .accuracy(let r, _), .loss(let r, _, _), .underEachElement(let r, _, _, _, _), .invariance(let r, _, _),
             .parameterCount(let r):
            collect(r, into: &out)
        case .equivariance(let r, _, let ch, _), .distanceToE(let r, _, let ch, _), .gradientIdentity(let r, _, let ch, _, _):
            collect(r, into: &out)
            if let l = ch.learned { out.insert("m:" + l.merge) }
        case .mergeBarrier(let id, _, _): out.insert("m:" + id)
        case .trainQuantity(let id, _): out.insert("t:" + id)
        }
    }

    /// Units in an order where every unit comes after its dependencies, grouped in levels: level k holds
    /// the units whose longest dependency chain has k links (one SLURM array per level).
    public var levels: [[Int]] {
        var depth = [Int](repeating: 0, count: units.count)
        for u in units { depth[u.index] = (u.dependencies.map { depth[$0] + 1 }).max() ?? 0 }
        let count = (depth.max() ?? -1) + 1
        return (0..<count).map { k in units.indices.filter { depth[$0] == k } }
    }

    /// Every unit that depends on `index`, directly or not.
    public func dependents(of index: Int) -> Set<Int> {
        var out = Set<Int>()
        for u in units where u.index > index && u.dependencies.contains(where: { $0 == index || out.contains($0) }) {
            out.insert(u.index)
        }
        return out
    }
}
