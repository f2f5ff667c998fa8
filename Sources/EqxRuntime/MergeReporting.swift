import EqxData
import EqxMerge
import EqxTraining


// What a merge reports about its learned representation and, for an orbit merge, about the change from the
// net to the merged net: report columns and results.json entries.

extension MergeOutcome {
    /// `LABEL.SYMBOL.RELATION` (channels violating it) and `LABEL.SYMBOL.representation` per symbol.
    func representationColumns(label: String) -> [(String, ResultTable.Value)] {
        representations.flatMap { r in
            r.relations.map { ("\(label).\(r.symbol).\($0.relation)", ResultTable.Value.int($0.channels)) }
                + [("\(label).\(r.symbol).representation", .bool(r.isRepresentation))]
        }
    }

    /// `m.loss_change`, `m.accuracy_change`: merged minus net (null unless an orbit merge).
    var lossChangeValue: ResultTable.Value { orbitChange.map { .double($0.lossChange) } ?? .null }
    var accuracyChangeValue: ResultTable.Value { orbitChange.map { .double($0.accuracyChange) } ?? .null }

    /// results.json: per symbol the relations, whether they hold and the search's value and bound.
    var representationsJSON: JSONValue {
        .array(representations.map { r in
            var fields: [String: JSONValue] = [
                "symbol": .string(r.symbol), "channels": .int(r.channels), "representation": .bool(r.isRepresentation),
                "relations": .object(Dictionary(uniqueKeysWithValues: r.relations.map { ($0.relation, JSONValue.int($0.channels)) })),
            ]
            if let s = r.search {
                fields["search"] = .object(["value": .double(s.value), "upper_bound": .double(s.upperBound),
                                            "gap": .double(s.upperBound - s.value), "optimal": .bool(s.isOptimal)])
            }
            return .object(fields)
        })
    }

    /// results.json: the net against the merged net at α = 1, on the last evaluation set.
    var orbitChangeJSON: JSONValue {
        guard let o = orbitChange else { return .null }
        func side(_ loss: Double, _ accuracy: Double, _ i: InvarianceError) -> JSONValue {
            .object(["loss": .double(loss), "accuracy": .double(accuracy),
                     "invariance": .object(["relative_change": .double(i.relativeChange), "disagreement": .double(i.disagreement)])])
        }
        return .object([
            "data": .string(o.data),
            "net": side(o.loss.net, o.accuracy.net, o.invariance.net),
            "merged": side(o.loss.merged, o.accuracy.merged, o.invariance.merged),
            "loss_change": .double(o.lossChange), "accuracy_change": .double(o.accuracyChange),
        ])
    }
}
