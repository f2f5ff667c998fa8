import EqxSyntax

extension Checker {
    /// `save predictions(net, data) to "p.csv"` (or `.npy`): the network's logits on every sample.
    func checkSavePredictions(_ args: [Argument], call: Expr, path pe: Expr, statement: Statement) {
        let usage = "save predictions(NETWORK, DATA) to \"predictions.csv\""
        guard let a = splitArguments(args, function: "predictions", allowed: []) else { return }
        guard a.positional.count == 2 else {
            error("E0406", "'predictions' takes a network and data", at: call.range, help: usage); return
        }
        guard let (net, refOpt) = model(a.positional[0], inputShape: nil, what: "the network") else { return }
        guard let ref = refOpt else {
            error("E0403", "'predictions' needs a trained or merged network, not a declaration", at: a.positional[0].range)
            return
        }
        guard let data = dataRef(a.positional[1], what: "data") else { return }
        if let shape = dataShape(data), shape != net.inputShape {
            error("E0301", "'\(ref)' takes samples of shape \(net.inputShape), but \(data) has \(shape)",
                  at: a.positional[1].range)
            return
        }
        guard let path = string(pe, what: "predictions path") else { return }
        let format: PredictionsFormat
        if path.hasSuffix(".csv") {
            format = .csv
        } else if path.hasSuffix(".npy") {
            format = .npy
        } else {
            error("E0406", "predictions are written as .csv or .npy", at: pe.range,
                  fixIts: [FixIt(range: pe.range, replacement: "\"\(path).csv\"")])
            return
        }
        steps.append(.save(SaveSpec(model: ref, network: net, path: path, range: statement.range,
                                    content: .predictions(data, format))))
    }
}
