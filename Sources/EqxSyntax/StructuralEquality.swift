/// Copies with every source range set to `.none`, so two trees compare equal when they differ only in
/// layout: the basis of the round-trip law parse(format(ast)) == ast.
extension Script {
    public func strippingRanges() -> Script {
        Script(statements: statements.map { $0.strippingRanges() }, trailingComments: trailingComments)
    }
}

extension Statement {
    public func strippingRanges() -> Statement {
        let kind: StatementKind
        switch self.kind {
        case .version(let e): kind = .version(e.strippingRanges())
        case .seed(let e): kind = .seed(e.strippingRanges())
        case .let(let n, let e): kind = .let(n.strippingRanges(), e.strippingRanges())
        case .data(let n, let e, let cs): kind = .data(n.strippingRanges(), e.strippingRanges(), cs.map { $0.strippingRanges() })
        case .group(let n, let e): kind = .group(n.strippingRanges(), e.strippingRanges())
        case .net(let n, let ps, let cs): kind = .net(n.strippingRanges(), ps.map { $0.strippingRanges() }, cs.map { $0.strippingRanges() })
        case .block(let n, let ps, let cs): kind = .block(n.strippingRanges(), ps.map { $0.strippingRanges() }, cs.map { $0.strippingRanges() })
        case .train(let n, let model, let data, let cs):
            kind = .train(n.strippingRanges(), model: model.strippingRanges(), data: data.strippingRanges(), cs.map { $0.strippingRanges() })
        case .merge(let n, let a, let b, let cs):
            kind = .merge(n.strippingRanges(), a.strippingRanges(), with: b.strippingRanges(), cs.map { $0.strippingRanges() })
        case .report(let name, let items):
            kind = .report(name: name?.strippingRanges(), items.map { ReportItem(label: $0.label?.strippingRanges(), value: $0.value.strippingRanges()) })
        case .plot(let name, let items, let title, let size):
            kind = .plot(name: name?.strippingRanges(), items.map { ReportItem(label: $0.label?.strippingRanges(), value: $0.value.strippingRanges()) },
                         title: title?.strippingRanges(), size: size?.strippingRanges())
        case .save(let e, let path): kind = .save(e.strippingRanges(), path: path.strippingRanges())
        case .repeat(let count, let v, let body):
            kind = .repeat(count: count.strippingRanges(), variable: v?.strippingRanges(), body.map { $0.strippingRanges() })
        case .for(let v, let seq, let body):
            kind = .for(variable: v.strippingRanges(), sequence: seq.strippingRanges(), body.map { $0.strippingRanges() })
        }
        return Statement(kind, trivia: trivia)
    }
}

extension Clause {
    public func strippingRanges() -> Clause {
        Clause(label: label?.strippingRanges(), head: head.strippingRanges(),
               arguments: arguments.map { $0.strippingRanges() }, output: output?.strippingRanges(),
               modifiers: modifiers.map { Modifier(name: $0.name.strippingRanges(), value: $0.value.strippingRanges()) },
               body: body?.map { $0.strippingRanges() }, shortcut: shortcut?.map { $0.strippingRanges() }, trivia: trivia,
               shortcutTrivia: shortcutTrivia)
    }
}

extension Parameter {
    public func strippingRanges() -> Parameter {
        Parameter(name: name.strippingRanges(), defaultValue: defaultValue?.strippingRanges())
    }
}

extension Identifier {
    public func strippingRanges() -> Identifier { Identifier(name) }
}

extension Expr {
    public func strippingRanges() -> Expr {
        let kind: ExprKind
        switch self.kind {
        case .number, .string, .bool, .identifier, .dimensions, .error: kind = self.kind
        case .member(let base, let name): kind = .member(base.strippingRanges(), name.strippingRanges())
        case .call(let base, let args):
            kind = .call(base.strippingRanges(), args.map { Argument(label: $0.label?.strippingRanges(), value: $0.value.strippingRanges()) })
        case .index(let base, let i): kind = .index(base.strippingRanges(), i.strippingRanges())
        case .range(let a, let b): kind = .range(a.strippingRanges(), b.strippingRanges())
        case .list(let items): kind = .list(items.map { $0.strippingRanges() })
        case .unary(let op, let e): kind = .unary(op, e.strippingRanges())
        case .binary(let op, let a, let b): kind = .binary(op, a.strippingRanges(), b.strippingRanges())
        }
        return Expr(kind)
    }
}
