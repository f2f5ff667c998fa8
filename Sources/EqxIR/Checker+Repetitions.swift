import EqxSyntax

/// The instances a `repeat` or `for` body declared, by name: after the loop, `plain[r]` is repetition r's
/// `plain` (a list value), so nets of different repetitions can meet in one merge.
struct RepetitionFamilies {
    var order: [Identifier] = []
    var members: [String: [Value]] = [:]
    /// Names that failed in some repetition: the family is poisoned, so its uses report nothing more.
    var failed: Set<String> = []
}

extension Checker {
    /// Records this repetition's value of every `train` and `merge` its body declares (in the body's scope).
    func collectInstances(of body: [Statement], into families: inout RepetitionFamilies) {
        for statement in body {
            let name: Identifier
            switch statement.kind {
            case .train(let n, _, _, _), .merge(let n, _, _, _): name = n
            case .version, .seed, .let, .data, .group, .net, .block, .report, .plot, .save, .repeat, .for: continue
            }
            if families.members[name.name] == nil { families.order.append(name); families.members[name.name] = [] }
            if let found = scope.lookupLocal(name.name), let v = value(of: found.binding) {
                families.members[name.name]!.append(v)
            } else {
                families.failed.insert(name.name)
            }
        }
    }

    /// Binds each family after its loop, unless the name is already declared where the loop is (another
    /// loop's family is replaced: the latest loop wins, as a later declaration would).
    func defineFamilies(_ families: RepetitionFamilies) {
        for name in families.order {
            if let existing = scope.lookupLocal(name.name), !familyDefinitions.contains(existing.range.start) { continue }
            let binding: Binding = families.failed.contains(name.name) ? .poisoned : .value(.list(families.members[name.name]!))
            scope.define(name.name, binding, range: name.range)
            familyDefinitions.insert(name.range.start)
        }
    }

    /// `pairs(plain)`: every unordered pair [plain[i], plain[j]] with i < j, in lexicographic order.
    func pairs(_ args: [Argument], range: SourceRange) -> Value? {
        guard args.count == 1, args[0].label == nil else {
            error("E0406", "'pairs' takes one list, such as the instances of a repeat: pairs(plain)", at: range)
            return nil
        }
        guard let v = evaluate(args[0].value) else { return nil }
        guard case .list(let items) = v else {
            error("E0403", "'pairs' needs a list, got a \(v.typeName)", at: args[0].value.range,
                  help: "a name declared inside `repeat N { … }` is, after the loop, the list of its N instances")
            return nil
        }
        var out: [Value] = []
        for i in items.indices { for j in items.indices where j > i { out.append(.list([items[i], items[j]])) } }
        return .list(out)
    }
}
