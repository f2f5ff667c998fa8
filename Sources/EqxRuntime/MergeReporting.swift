import EqxData
import EqxMerge
import EqxTraining
import EqxEvaluation


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

    /// results.json: per symbol the layer whose activations were matched (activation matching only).
    var matchPointsJSON: JSONValue {
        .array(matchPoints.map { .object(["symbol": .string($0.symbol), "layer": .string($0.layer)]) })
    }

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

}

extension MergePath {
    /// `m.loss_change`, `m.accuracy_change`: merged minus net (null unless an orbit merge).
    var lossChangeValue: ResultTable.Value { orbitChange.map { .double($0.lossChange) } ?? .null }
    var accuracyChangeValue: ResultTable.Value { orbitChange.map { .double($0.accuracyChange) } ?? .null }

    /// results.json: the curve's name, its loss and accuracy along α per evaluation set, barriers and the
    /// orbit change (the merge's entry repeats its first path's at the top level).
    var json: [String: JSONValue] {
        [
            "curve": .string(variant.rawValue),
            "curves": .array(curves.map {
                .object(["data": .string($0.data), "loss": .array($0.losses.map { .double($0) }),
                         "accuracy": .array($0.accuracies.map { .double($0) })])
            }),
            "loss_barrier": .double(lossBarrier),
            "accuracy_barrier": .double(accuracyBarrier),
            "midpoint_loss_barrier": .double(midpointLossBarrier),
            "midpoint_accuracy_barrier": .double(midpointAccuracyBarrier),
            "orbit": orbitChangeJSON,
        ]
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
