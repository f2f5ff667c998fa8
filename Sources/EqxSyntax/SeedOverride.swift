extension Script {
    /// The script as `eqx run --seed S` runs it: one top-level `seed S` right after the version line, so the
    /// canonical text (`operative.eqx`, the run id) carries the seed that ran.
    ///
    /// The first top-level `seed` statement keeps its comments and source positions; later top-level ones
    /// are dropped, since the override makes them moot. Seeds inside `repeat` and `for` bodies stay as
    /// written: they choose per-repetition streams, not the script's seed.
    public func replacingSeed(with seed: UInt64) -> Script {
        let value = Expr(.number(value: Double(seed), isInteger: true, text: "\(seed)"))
        var replacement = Statement(.seed(value))
        var rest: [Statement] = []
        var found = false
        for s in statements {
            guard case .seed(let old) = s.kind else { rest.append(s); continue }
            if !found {
                replacement = s
                replacement.kind = .seed(Expr(value.kind, range: old.range))
                found = true
            }
        }
        var position = 0
        if case .version? = rest.first?.kind { position = 1 }
        rest.insert(replacement, at: position)
        return Script(statements: rest, trailingComments: trailingComments)
    }
}
