import EqxSyntax

/// Nets and blocks are checked when a statement instantiates them; these are the checks for the ones no
/// statement did, so an unknown layer in a net nobody trains is still an error.
extension Checker {
    func unknownLayer(_ head: Identifier) {
        let s = suggestion(for: head.name, among: layerKinds + scope.allNames())
        error("E0408", "unknown layer '\(head.name)'", at: head.range, label: "not a layer",
              help: s.map { "did you mean '\($0)'?" } ?? "layers: \(layerKinds.joined(separator: ", "))",
              fixIts: s.map { [FixIt(range: head.range, replacement: $0)] } ?? [])
    }

    /// After the last statement: warns about top-level nets and blocks the script never names, and checks
    /// every one that nothing instantiated: on earlier data when there is some, else that its layers exist.
    func checkUninstantiatedDeclarations(_ script: Script) {
        let referenced = referencedNames()
        // A net an error's fix-it names is the one a misspelt use meant: no warning on top of that error.
        let suggested = Set(diagnostics.filter { $0.severity == .error }.flatMap(\.fixIts).map(\.replacement))
        for statement in script.statements {
            let name: Identifier, parameters: [Parameter], clauses: [Clause], what: String
            if case .net(let n, let p, let c) = statement.kind {
                (name, parameters, clauses, what) = (n, p, c, "net")
            } else if case .block(let n, let p, let c) = statement.kind {
                (name, parameters, clauses, what) = (n, p, c, "block")
            } else {
                continue
            }
            if hiddenDefinitions.contains(name.range.start) { continue }
            if referenced[name.name, default: 0] == 0, !suggested.contains(name.name) {
                warning("W0403", "\(what) '\(name.name)' is never used", at: name.range, label: "declared here",
                        help: what == "net" ? "train it (train t = \(name.name) on DATA { … }) or remove it"
                                            : "use it as a layer inside a net, or remove it")
            }
            guard !instantiatedDeclarations.contains(name.range.start) else { continue }
            let needsArguments = parameters.contains { $0.defaultValue == nil }
            if what == "net", !needsArguments, checkOnDeclaredData(name) { continue }
            checkLayerHeads(clauses)
        }
    }

    /// How often each name occurs as an identifier (not as a member after `.`), its declarations excluded.
    private func referencedNames() -> [String: Int] {
        let declared = Set(topLevelDefinitions.map(\.range.start))
        var counts: [String: Int] = [:]
        var previous: TokenKind?
        for t in lex(file).tokens {
            if t.kind == .identifier, previous != .dot, !declared.contains(t.range.start) {
                counts[t.text, default: 0] += 1
            }
            previous = t.kind
        }
        return counts
    }

    /// Instantiates the net on the samples of each data set declared before it, the latest first. Clean on
    /// any of them is clean; otherwise the errors are those for the latest (the data it was most likely
    /// written for). Data declared after the net is not tried: in the REPL, declaring data must not turn an
    /// earlier net into an error. False when there is no data to try.
    private func checkOnDeclaredData(_ name: Identifier) -> Bool {
        var shapes: [[Int]] = []
        for case .data(let d) in steps.reversed() where d.range.start < name.range.start && !shapes.contains(d.sampleShape) {
            shapes.append(d.sampleShape)
        }
        guard !shapes.isEmpty else { return false }
        var failures: [[Diagnostic]] = []
        for shape in shapes {
            let (spec, found) = trial { instantiate(.netDeclaration(name.name), inputShape: shape, at: name.range) }
            if spec != nil { return true }
            failures.append(found)
        }
        for d in failures[0] { report(d) }
        return true
    }

    /// Runs `body` and takes back what it reported and recorded: the diagnostics come back to the caller.
    private func trial<T>(_ body: () -> T) -> (T, [Diagnostic]) {
        let saved = (diagnostics, reported, networks, errorCount)
        diagnostics = []
        let result = body()
        let found = diagnostics
        (diagnostics, reported, networks, errorCount) = saved
        return (result, found)
    }

    /// Without data to instantiate on, what can be checked is that every layer exists.
    private func checkLayerHeads(_ clauses: [Clause]) {
        for c in clauses {
            if layerKinds.contains(c.head.name) {
                if let body = c.body { checkLayerHeads(body) }
            } else if case .block? = resolve(c.head.name, at: c.head.range)?.binding {
                continue
            } else {
                unknownLayer(c.head)
            }
        }
    }
}
