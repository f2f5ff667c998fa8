import EqxSyntax

extension Checker {
    /// Evaluates an expression at check time; nil after reporting an error.
    func evaluate(_ e: Expr) -> Value? {
        switch e.kind {
        case .number(let v, let isInt, _):
            return .number(v, isInteger: isInt)
        case .string(let s):
            return .string(s)
        case .bool(let b):
            return .bool(b)
        case .dimensions(let d):
            return .dimensions(d)
        case .error:
            return nil
        case .identifier(let name):
            return lookupValue(name, range: e.range)
        case .list(let items):
            var vs: [Value] = []
            for i in items { guard let v = evaluate(i) else { return nil }; vs.append(v) }
            return .list(vs)
        case .range(let a, let b):
            guard let x = number(a, what: "range start"), let y = number(b, what: "range end") else { return nil }
            return .range(x, y)
        case .unary(.negate, let x):
            guard let v = evaluate(x) else { return nil }
            if case .number(let n, let i) = v { return .number(-n, isInteger: i) }
            error("E0403", "cannot negate a \(v.typeName)", at: e.range)
            return nil
        case .binary(let op, let l, let r):
            guard let a = evaluate(l), let b = evaluate(r) else { return nil }
            for (v, operand) in [(a, l), (b, r)] {
                if case .symbol(let s) = v, case .identifier = operand.kind, s != "trivial", s != "translations" {
                    unknownName(s, at: operand.range, expected: "name"); return nil
                }
            }
            return arithmetic(op, a, b, range: e.range)
        case .member(let base, let member):
            return evaluateMember(base, member, range: e.range)
        case .index(let base, let index):
            return evaluateIndex(base, index, range: e.range)
        case .call(let callee, let args):
            return evaluateCall(callee, args, range: e.range)
        }
    }

    func lookupValue(_ name: String, range: SourceRange) -> Value? {
        guard let found = resolve(name, at: range) else { return .symbol(name) }
        return value(of: found.binding)
    }

    func value(of binding: Binding) -> Value? {
        switch binding {
        case .value(let v): return v
        case .net(let d): return .netDeclaration(d.name)
        case .block(let d): return .blockDeclaration(d.name)
        case .data(let spec): return .data(DataRef(data: spec.id, split: .all))
        case .train(let id, let net, _, _): return .model(.trained(id), net)
        case .merge(let id, _, _): return .mergeResult(id, curve: nil)
        case .poisoned: return nil
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, range: SourceRange) -> Value? {
        if case .group(let g, let gn) = a, case .group(let h, let hn) = b, op == .multiply {
            // A direct product acts by composing the factors' actions: EqxGroups decides whether they commute.
            switch GroupSpec.productObstruction(g, h) {
            case .noncommuting?:
                error("E0505", "the actions of \(gn) and \(hn) do not commute, so their direct product does not act on images", at: range,
                      help: g.description.hasPrefix("rot") || h.description.hasPrefix("rot")
                          ? "rotations and mirrors together form dihedral(4)"
                          : g.containsTranslations != h.containsTranslations && !g.containsSymmetric && !h.containsSymmetric
                          ? "translations with a point group form the semidirect product semidirect(translations, \(g.containsTranslations ? hn : gn))"
                          : "use one of the groups, or mirror(horizontal) * mirror(vertical)")
                return nil
            case .sharedElements?:
                error("E0505", "\(gn) and \(hn) share transformations, so their direct product would count them twice", at: range,
                      help: "use one of the groups, or mirror(horizontal) * mirror(vertical)")
                return nil
            case nil:
                break
            }
            return .group(.product(g, h), name: "\(gn) * \(hn)")
        }
        guard case .number(let x, let xi) = a, case .number(let y, let yi) = b else {
            error("E0403", "'\(op.rawValue)' needs numbers, got \(a.typeName) and \(b.typeName)", at: range)
            return nil
        }
        let bothInt = xi && yi
        switch op {
        case .add: return .number(x + y, isInteger: bothInt)
        case .subtract: return .number(x - y, isInteger: bothInt)
        case .multiply: return .number(x * y, isInteger: bothInt)
        case .divide:
            if y == 0 { error("E0403", "division by zero", at: range); return nil }
            let q = x / y
            return .number(q, isInteger: bothInt && q == q.rounded())
        case .remainder:
            // Integers only, and never negative, so `(r - 1) % n` indexes repetitions cyclically.
            guard bothInt, y > 0 else {
                error("E0403", "'%' needs an integer and a positive integer, got \(a.display) % \(b.display)", at: range)
                return nil
            }
            let m = x.truncatingRemainder(dividingBy: y)
            return .number(m < 0 ? m + y : m, isInteger: true)
        }
    }

    private func evaluateMember(_ base: Expr, _ member: Identifier, range: SourceRange) -> Value? {
        // builtin.digits is a data source, not a member of anything.
        if case .identifier("builtin") = base.kind, scope.lookup("builtin") == nil {
            if member.name == "digits" { return .symbol("builtin.digits") }
            error("E0401", "unknown built-in dataset '\(member.name)'", at: member.range, help: "the built-in dataset is builtin.digits")
            return nil
        }
        guard let v = evaluate(base) else { return nil }
        switch v {
        case .data(let ref) where ref.split == .all:
            switch member.name {
            case "train": return .data(DataRef(data: ref.data, split: .train))
            case "test": return .data(DataRef(data: ref.data, split: .test))
            default:
                error("E0404", "data has no member '\(member.name)'", at: member.range, help: "use .train or .test")
                return nil
            }
        case .mergeResult(let id, let curve):
            if member.name == "at" { return .symbol("\(id).at") }
            if member.name == "representation" { return learnedChannels(of: id, at: member.range) }
            let variants = mergeSpec(id)?.variants ?? []
            if curve == nil, let v = MergeVariant(rawValue: member.name) {
                guard variants.contains(v) else {
                    error("E0404", "merge '\(declaredName(id))' has no curve '\(v.rawValue)'", at: member.range,
                          label: "its curves: \(variants.map(\.rawValue).joined(separator: ", "))",
                          help: "list it in the merge: curves \((variants + [v]).map(\.rawValue).joined(separator: ", "))")
                    return nil
                }
                return .mergeResult(id, curve: v)
            }
            guard let q = MergeQuantity(rawValue: member.name) else {
                let names = MergeQuantity.allCases.map(\.rawValue) + ["at", "representation"] + (curve == nil ? variants.map(\.rawValue) : [])
                let what = curve.map { "the curve '\($0.rawValue)' of merge '\(declaredName(id))'" } ?? "a merge"
                error("E0404", "\(what) has no member '\(member.name)'", at: member.range,
                      label: "members: \(names.joined(separator: ", "))",
                      help: suggestion(for: member.name, among: names).map { "did you mean '\($0)'?" },
                      fixIts: suggestion(for: member.name, among: names).map { [FixIt(range: member.range, replacement: $0)] } ?? [])
                return nil
            }
            return .measurement(.mergeBarrier(id, q, curve: curve))
        case .model(.trained(let id), _):
            guard let q = TrainQuantity(rawValue: member.name) else {
                let names = TrainQuantity.allCases.map(\.rawValue)
                error("E0404", "a training run has no member '\(member.name)'", at: member.range,
                      label: "members: \(names.joined(separator: ", "))",
                      help: suggestion(for: member.name, among: names).map { "did you mean '\($0)'?" },
                      fixIts: suggestion(for: member.name, among: names).map { [FixIt(range: member.range, replacement: $0)] } ?? [])
                return nil
            }
            return .measurement(.trainQuantity(id, q))
        case .symbol(let s):
            unknownName(s, at: base.range, expected: "name")
            return nil
        default:
            error("E0404", "a \(v.typeName) has no member '\(member.name)'", at: member.range)
            return nil
        }
    }

    private func evaluateIndex(_ base: Expr, _ index: Expr, range: SourceRange) -> Value? {
        guard let b = evaluate(base), let i = evaluate(index) else { return nil }
        switch (b, i) {
        case (.data(var ref), .range(let lo, let hi)):
            guard lo == lo.rounded(), hi == hi.rounded(), lo >= 0, hi >= lo, hi < 1e15 else {
                error("E0802", "a data range needs integer bounds a..b with 0 ≤ a ≤ b, got \(i.display)", at: index.range)
                return nil
            }
            if ref.range != nil {
                error("E0802", "this data is already a range; take one range of a split", at: index.range)
                return nil
            }
            let r = Int(lo)..<(Int(hi) + 1)
            if let count = splitCount(ref), r.upperBound > count {
                error("E0802", "range \(i.display) is outside \(ref) which has \(count) samples", at: index.range,
                      label: "at most \(count - 1)")
                return nil
            }
            ref.range = r
            return .data(ref)
        case (.list(let items), .number(let x, true)):
            guard x >= 0, x < Double(items.count) else {
                let what = nameOf(base).map { "'\($0)' has \(items.count) instance\(items.count == 1 ? "" : "s")" }
                    ?? "the list has \(items.count) element\(items.count == 1 ? "" : "s")"
                error("E0403", "index \(formatNumber(x)) is out of range: \(what)", at: index.range,
                      label: items.isEmpty ? "no valid index" : "valid: 0…\(items.count - 1)",
                      help: "index from 0; `(r + 1) % \(max(1, items.count))` wraps around")
                return nil
            }
            return items[Int(x)]
        default:
            error("E0403", "cannot index a \(b.typeName) with a \(i.typeName)", at: range,
                  help: b.typeName == "data" ? "take a range of samples: digits.train[0..499]" : nil)
            return nil
        }
    }

    /// Number of samples in a split, when known.
    func splitCount(_ ref: DataRef) -> Int? {
        guard let spec = dataSpec(ref.data) else { return nil }
        if let r = ref.range { return r.count }
        switch ref.split {
        case .train: return spec.trainCount
        case .test: return spec.testCount
        case .all: return spec.trainCount.flatMap { t in spec.testCount.map { t + $0 } } ?? spec.trainCount
        }
    }

    func dataSpec(_ id: String) -> DataSpec? {
        for case .data(let d) in steps.reversed() where d.id == id { return d }  // the latest: a session may shadow
        return nil
    }

    struct CallArguments {
        var positional: [Expr] = []
        var labelled: [String: (Identifier, Expr)] = [:]
    }

    func splitArguments(_ args: [Argument], function: String, allowed: [String]) -> CallArguments? {
        var out = CallArguments()
        var ok = true
        for a in args {
            if let l = a.label {
                if !allowed.contains(l.name) {
                    let s = suggestion(for: l.name, among: allowed)
                    error("E0406", "'\(function)' has no argument '\(l.name)'", at: l.range,
                          label: allowed.isEmpty ? "takes no labelled arguments" : "arguments: \(allowed.joined(separator: ", "))",
                          help: s.map { "did you mean '\($0)'?" }, fixIts: s.map { [FixIt(range: l.range, replacement: $0)] } ?? [])
                    ok = false
                } else if out.labelled[l.name] != nil {
                    error("E0406", "argument '\(l.name)' given twice", at: l.range)
                    ok = false
                } else {
                    out.labelled[l.name] = (l, a.value)
                }
            } else {
                out.positional.append(a.value)
            }
        }
        return ok ? out : nil
    }

    private func evaluateCall(_ callee: Expr, _ args: [Argument], range: SourceRange) -> Value? {
        // `m.at(0.5)`: the merged network at α.
        if case .member(let base, let member) = callee.kind, member.name == "at" {
            guard case .mergeResult(let id, let curve)? = evaluate(base) else {
                error("E0403", "'.at(α)' applies to a merge", at: callee.range)
                return nil
            }
            guard args.count == 1, args[0].label == nil, let a = number(args[0].value, what: "α") else {
                error("E0406", "'.at' takes one number α", at: range)
                return nil
            }
            // The merge's network: from its declaration, or (for `pair[0].at(0.5)`) from its step.
            if case .merge(_, let net, _)? = scope.lookup(nameOf(base) ?? "")?.binding {
                return .model(.merged(id, alpha: a, curve: curve), net)
            }
            for case .merge(let m) in steps where m.id == id { return .model(.merged(id, alpha: a, curve: curve), m.network) }
            return nil
        }
        guard case .identifier(let fname) = callee.kind else {
            error("E0403", "only named functions can be called", at: callee.range)
            return nil
        }
        if let found = resolve(fname, at: callee.range) {
            switch found.binding {
            case .poisoned:
                return nil
            case .net(let decl):
                return netCall(decl, args, range: range)
            case .value(.group(let g, let gname)):
                return groupApplication(g, name: gname, args, range: range)
            default:
                error("E0403", "'\(fname)' cannot be called", at: callee.range,
                      notes: [DiagnosticNote("'\(fname)' is defined at \(location(found.range))", range: found.range)])
                return nil
            }
        }
        if fname == "pairs" { return pairs(args, range: range) }
        if let g = groupConstructor(fname, args, range: range) { return g }
        if let d = dataConstructor(fname, args, range: range) { return d }
        if let m = measurementCall(fname, args, range: range) { return m }
        if Checker.constructors.contains(fname) || Checker.measurementFunctions.contains(fname) {
            return nil  // the constructor reported its own error
        }
        let known = Checker.constructors + Checker.measurementFunctions + scope.allNames()
        let s = suggestion(for: fname, among: known)
        error("E0409", "unknown function '\(fname)'", at: callee.range, label: "not defined",
              help: s.map { "did you mean '\($0)'?" }, fixIts: s.map { [FixIt(range: callee.range, replacement: $0)] } ?? [])
        return nil
    }

    func nameOf(_ e: Expr) -> String? {
        if case .identifier(let n) = e.kind { return n }
        return nil
    }

    static let constructors = ["mirror", "rotations", "dihedral", "translations", "symmetric", "semidirect", "trivial",
                               "idx", "cifar10", "npy", "npz", "csv", "block_graphs", "load", "orbit", "pairs"]
    static let measurementFunctions = ["accuracy", "loss", "invariance", "equivariance", "distance_to_E", "gradient_identity",
                                        "parameters"]

    private func netCall(_ decl: NetDeclaration, _ args: [Argument], range: SourceRange) -> Value? {
        let names = decl.parameters.map(\.name.name)
        guard let split = splitArguments(args, function: decl.name, allowed: names) else { return nil }
        if split.positional.count > names.count {
            error("E0406", "'\(decl.name)' takes \(names.count) argument\(names.count == 1 ? "" : "s"), got \(split.positional.count)",
                  at: range, notes: [DiagnosticNote("'\(decl.name)' is declared at \(location(decl.range))", range: decl.range)])
            return nil
        }
        var values: [String: Value] = [:]
        for (i, e) in split.positional.enumerated() {
            guard let v = evaluate(e) else { return nil }
            values[names[i]] = v
        }
        for (n, (_, e)) in split.labelled {
            if values[n] != nil { error("E0406", "argument '\(n)' given twice", at: e.range); return nil }
            guard let v = evaluate(e) else { return nil }
            values[n] = v
        }
        return .netCall(decl.name, arguments: values, range: range)
    }

    /// `flip(net)` is g·θ for the non-identity element of an order-2 group; `rot(net, "r2")` names one.
    private func groupApplication(_ g: GroupSpec, name: String, _ args: [Argument], range: SourceRange) -> Value? {
        guard let first = args.first, first.label == nil, args.count <= 2 else {
            error("E0406", "applying group '\(name)' needs a network: \(name)(net) or \(name)(net, \"r2\")", at: range)
            return nil
        }
        guard let v = evaluate(first.value) else { return nil }
        guard case .model(let m, let net) = v else {
            error("E0403", "a group acts on a trained network here, got \(v.typeName)", at: first.value.range)
            return nil
        }
        guard let element = groupElement(g, name: name, args.count == 2 ? args[1].value : nil, range: range) else {
            return nil
        }
        return .model(.transformed(m, group: g, element: element), net)
    }

    func groupElement(_ g: GroupSpec, name: String, _ e: Expr?, range: SourceRange) -> Int? {
        guard let names = g.elementNames else {
            error("E0505", "elements of \(g) cannot be named here", at: range,
                  help: "use a mirror, rotation or dihedral group")
            return nil
        }
        guard let e = e else {
            if names.count == 2 { return 1 }
            guard names.count > 2 else {
                error("E0505", "'\(name)' has only the identity element, so \(name)(net) would be the network itself", at: range,
                      help: "use the network directly, or a group with more elements")
                return nil
            }
            error("E0505", "'\(name)' has \(names.count) elements; say which one", at: range,
                  help: "e.g. \(name)(net, \"\(names[1])\"), or merge with orbit(\(name)) for all of them")
            return nil
        }
        guard let s = string(e, what: "group element") else { return nil }
        guard let i = names.firstIndex(of: s) else {
            error("E0505", "'\(name)' has no element \"\(s)\"", at: e.range, label: "elements: \(names.joined(separator: ", "))")
            return nil
        }
        return i
    }

    /// How a group argument is named in the combined group's name: a declared group by its name.
    private func groupName(_ e: Expr, _ g: GroupSpec) -> String {
        if case .identifier(let n) = e.kind, scope.lookup(n) != nil { return n }
        return g.description
    }

    private func groupConstructor(_ f: String, _ args: [Argument], range: SourceRange) -> Value? {
        func one() -> Expr? {
            guard args.count == 1, args[0].label == nil else {
                error("E0406", "'\(f)' takes one argument", at: range); return nil
            }
            return args[0].value
        }
        switch f {
        case "trivial":
            return .group(.trivial, name: "trivial")
        case "mirror":
            guard let e = one(), let axis = symbol(e, what: "mirror axis", among: ["horizontal", "vertical"]) else { return nil }
            return .group(.mirror(.init(rawValue: axis)!), name: "mirror(\(axis))")
        case "rotations":
            guard let e = one(), let n = positiveInteger(e, what: "rotation order") else { return nil }
            guard n == 4 else {
                error("E0505", "rotations(\(n)) is not a symmetry of the pixel grid", at: e.range,
                      help: "use rotations(4): the rotations by multiples of 90°")
                return nil
            }
            return .group(.rotations(n), name: "rotations(\(n))")
        case "dihedral":
            guard let e = one(), let n = positiveInteger(e, what: "dihedral order") else { return nil }
            guard n == 4 else {
                error("E0505", "dihedral(\(n)) is not a symmetry of the pixel grid", at: e.range, help: "use dihedral(4)")
                return nil
            }
            return .group(.dihedral4, name: "dihedral(4)")
        case "translations":
            if args.isEmpty { return .group(.translations(.both), name: "translations") }
            guard let e = one(), let axis = symbol(e, what: "translation axis", among: ["width", "height", "both"]) else { return nil }
            return .group(.translations(.init(rawValue: axis)!), name: "translations(\(axis))")
        case "symmetric":
            guard let e = one(), let n = positiveInteger(e, what: "number of nodes") else { return nil }
            guard n >= 2, n <= 20 else {
                error("E0505", "symmetric(\(n)): n must be between 2 and 20", at: e.range); return nil
            }
            return .group(.symmetric(n), name: "symmetric(\(n))")
        case "semidirect":
            // T ⋊ K: written as a call, so it parses like every other group and prints back the same.
            guard args.count == 2, args.allSatisfy({ $0.label == nil }) else {
                error("E0406", "'semidirect' takes two groups: semidirect(translations, rotations(4))", at: range); return nil
            }
            guard let t = groupValue(args[0].value), let k = groupValue(args[1].value) else { return nil }
            if let why = GroupSpec.semidirectObstruction(t, k) {
                error("E0505", why, at: range, help: "write semidirect(translations, K) with K a mirror, rotations(4) or dihedral(4)")
                return nil
            }
            return .group(.semidirect(t, k), name: "semidirect(\(groupName(args[0].value, t)), \(groupName(args[1].value, k)))")
        default:
            return nil
        }
    }
}
