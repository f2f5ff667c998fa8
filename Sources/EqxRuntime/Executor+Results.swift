import EqxData
import EqxGroups
import EqxIR
import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining
import Foundation
import EqxEvaluation

extension Executor {
    /// The columns one measurement contributes to a report row.
    public func measure(_ m: EqxIR.Measurement, label: String) throws -> [(String, ResultTable.Value)] {
        switch m {
        case .number(let x): return [(label, x == x.rounded() && abs(x) < 1e15 ? .int(Int(x)) : .double(x))]
        case .text(let s): return [(label, .string(s))]
        case .accuracy(let ref, _), .loss(let ref, _, _), .underEachElement(let ref, _, _, _, _), .invariance(let ref, _, _),
             .equivariance(let ref, _, _, _), .distanceToE(let ref, _, _, _), .gradientIdentity(let ref, _, _, _, _):
            // A float64 network is measured in float64.
            if let wide = try network64(ref) { return try measure(m, of: wide, label: label) }
            return try measure(m, of: network(ref), label: label)
        case .parameterCount(let ref):
            return [(label, .int(try network(ref).parameterCount))]
        case .mergeBarrier(let id, let q, let curve):
            guard let m = merges[id]?.outcome else { throw RuntimeError("merge '\(id)' has not run") }
            let path = m.path(curve)
            switch q {
            case .barrier: return [(label, .double(path.lossBarrier))]
            case .accuracyBarrier: return [(label, .double(path.accuracyBarrier))]
            case .midpointBarrier: return [(label, .double(path.midpointLossBarrier))]
            case .midpointAccuracyBarrier: return [(label, .double(path.midpointAccuracyBarrier))]
            case .curve: return [(label, .string(path.curves.last!.losses.map { String(format: "%.4g", $0) }.joined(separator: " ")))]
            case .permutations:
                return m.symbols.flatMap { s in
                    [("\(label).\(s.name).fixed", ResultTable.Value.int(s.fixedPoints)),
                     ("\(label).\(s.name).two_cycles", .int(s.twoCycles)),
                     ("\(label).\(s.name).longer", .int(s.longerCycles.count)),
                     ("\(label).\(s.name).involution", .bool(s.isInvolution))]
                } + m.representationColumns(label: label)
            case .lossChange: return [(label, path.lossChangeValue)]
            case .accuracyChange: return [(label, path.accuracyChangeValue)]
            }
        case .trainQuantity(let id, let q):
            guard let t = trained[id]?.outcome else { throw RuntimeError("'\(id)' has not been trained") }
            switch q {
            case .finalLoss: return [(label, .double(t.finalLoss))]
            case .finalAccuracy:
                if let e = t.epochs.last?.evaluations.last { return [(label, .double(e.accuracy))] }
                return [(label, .double(t.finalAccuracy))]
            case .steps: return [(label, .int(t.steps))]
            case .curve: return [(label, .double(t.finalLoss))]
            case .distance: return [(label, t.distance.last.map { .double($0.relative) } ?? .null)]
            }
        }
    }

    /// A measurement of one network, in the network's precision.
    func measure<Scalar: TensorScalar>(_ m: EqxIR.Measurement, of net: NetworkOf<Scalar>,
                                       label: String) throws -> [(String, ResultTable.Value)] {
        switch m {
        case .accuracy(_, let d):
            return [(label, .double(try evaluate(net, on: dataset(d), loss: .crossEntropy).accuracy))]
        case .loss(_, let d, let kind):
            return [(label, .double(try evaluate(net, on: dataset(d), loss: kind).loss))]
        case .underEachElement(_, let d, let kind, let g, let wantAccuracy):
            let action = try g.sampleAction(forInput: net.spec.inputShape)
            let group = action.group
            let data = try dataset(d)
            var columns: [(String, ResultTable.Value)] = []
            for e in group.elements {
                let moved = try data.transformed(by: action, element: e)
                let r = try evaluate(net, on: moved, loss: kind)
                columns.append(("\(label).\(group.name(of: e))", .double(wantAccuracy ? r.accuracy : r.loss)))
            }
            return columns
        case .invariance(_, let g, let d):
            let e = try invarianceError(net, group: g.finiteGroup(forInput: net.spec.inputShape), on: dataset(d),
                                        seed: program.seed)
            return [("\(label).relative_change", .double(e.relativeChange)), ("\(label).disagreement", .double(e.disagreement))]
        case .equivariance(_, let g, let ch, let d):
            var data = try dataset(d)
            if data.count > 512 { data = try data.subset(0..<512) }
            let errors = try equivarianceErrors(net, group: g.finiteGroup(forInput: net.spec.inputShape), hidden: ch.hidden,
                                                learned: layerPermutations(ch, for: net.spec), on: data, seed: program.seed)
            return errors.map { ("\(label).\($0.layer)", .double($0.error)) }
        case .distanceToE(_, let g, let ch, let layers):
            let p = try ReynoldsProjector(group: g.finiteGroup(forInput: net.spec.inputShape), spec: net.spec, hidden: ch.hidden,
                                          learned: layerPermutations(ch, for: net.spec))
            let d = p.distance(net.state, layers: layers.map(Set.init))
            return [(label, .double(d.relative)), ("\(label).absolute", .double(d.absolute))]
                + d.layers.map { ("\(label).\($0.name)", .double($0.relative)) }
                + d.layers.map { ("\(label).\($0.name).absolute", .double($0.absolute)) }
        case .gradientIdentity(_, let g, let ch, let d, let kind):
            let r = try EqxEvaluation.gradientIdentity(net, group: g.finiteGroup(forInput: net.spec.inputShape), hidden: ch.hidden,
                                                     learned: layerPermutations(ch, for: net.spec), on: dataset(d), loss: kind)
            return [(label, .double(r.discrepancy)), ("\(label).off_E", .double(r.offE)),
                    ("\(label).gradient", .double(r.nominalNorm)), ("\(label).augmented_gradient", .double(r.augmentedNorm))]
        case .number, .text, .parameterCount, .mergeBarrier, .trainQuantity:
            preconditionFailure("\(m) is not a measurement of a network's function or weights")
        }
    }

    func report(_ r: ReportSpec) throws {
        var columns: [String] = []
        var row: [ResultTable.Value] = []
        if let key = r.row { columns.append("run"); row.append(.string(key)) }
        for item in r.items {
            for (c, v) in try measure(item.measurement, label: item.label) { columns.append(c); row.append(v) }
        }
        try append(row, columns: columns, to: r.table, announce: r.row == nil)
    }

    /// Adds a report's row to its table (the table is created by its first row).
    func append(_ row: [ResultTable.Value], columns: [String], to table: String, announce: Bool) throws {
        if var t = tables[table] {
            guard t.columns == columns else { throw RuntimeError("report \(table) changed its columns between repetitions") }
            try t.append(row)
            tables[table] = t
        } else {
            tables[table] = try ResultTable(title: table, columns: columns, rows: [row])
            tableOrder.append(table)
        }
        if announce { observer(.table(tables[table]!)) }
    }

    /// Median, minimum and maximum of every numeric column of a table filled by a repeat or for loop.
    func summarize(_ name: String) {
        guard let t = tables[name] else { return }
        var summary: [[ResultTable.Value]] = [[.string("median")], [.string("min")], [.string("max")]]
        for (c, _) in t.columns.enumerated().dropFirst() {
            let values = t.rows.compactMap { row -> Double? in
                switch row[c] { case .double(let d) where d.isFinite: return d; case .int(let i): return Double(i); default: return nil }
            }.sorted()
            if values.isEmpty {
                for i in 0..<3 { summary[i].append(.null) }
            } else {
                let mid = values.count / 2
                summary[0].append(.double(values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2))
                summary[1].append(.double(values.first!))
                summary[2].append(.double(values.last!))
            }
        }
        guard var s = try? ResultTable(title: name + "_summary", columns: t.columns, rows: summary) else { return }
        s.title = name + "_summary"
        tables[s.title] = s
        tableOrder.append(s.title)
        observer(.table(t))
        observer(.table(s))
    }

    /// Adds this repetition's series of a plot statement to its figure.
    func plot(_ p: PlotSpec) throws {
        figures.add(p, try plotContribution(p))
    }

    /// This repetition's series of a plot statement (a sweep's unit stores them for the collecting job).
    func plotContribution(_ p: PlotSpec) throws -> FigureBuilder.Contribution {
        if p.axis == .groups {
            var scalars: [FigureBuilder.Scalar] = []
            for item in p.items {
                guard let (_, value) = try measure(item.measurement, label: item.label).first else { continue }
                let number: Double
                switch value {
                case .double(let d): number = d
                case .int(let i): number = Double(i)
                case .bool, .string, .null: number = .nan
                }
                scalars.append(FigureBuilder.Scalar(group: item.label, series: item.series, value: number))
            }
            return .scalars(scalars)
        }
        // "digits.test" → "test" when every curve of the figure comes from the same data.
        var dataNames = Set<String>()
        for item in p.items {
            if case .mergeBarrier(let id, _, _) = item.measurement, let m = merges[id]?.outcome {
                for c in m.curves { dataNames.insert(String(c.data.prefix { $0 != "." })) }
            }
            if case .trainQuantity(let id, _) = item.measurement, let t = trained[id]?.outcome {
                for e in t.epochs.first?.evaluations ?? [] { dataNames.insert(String(e.data.prefix { $0 != "." })) }
            }
        }
        func dataName(_ d: String) -> String {
            guard dataNames.count == 1, let dot = d.firstIndex(of: ".") else { return d }
            return String(d[d.index(after: dot)...])
        }
        var curves: [FigureBuilder.Curve] = []
        for item in p.items {
            switch item.measurement {
            case .mergeBarrier(let id, _, let curve):
                guard let m = merges[id]?.outcome else { continue }
                // The merge itself draws all its curves (named after the curve when it has several); `m.reset` one.
                let paths = curve == nil ? m.paths : [m.path(curve)]
                for path in paths {
                    let series = m.paths.count > 1 && curve == nil ? "\(item.label) \(path.variant.rawValue)" : item.label
                    for c in path.curves {
                        let name = "\(series), \(dataName(c.data))"
                        curves.append(.init(panel: .loss, series: name, points: zip(m.alphas, c.losses).map { (x: $0.0, y: $0.1) }))
                        curves.append(.init(panel: .accuracy, series: name, points: zip(m.alphas, c.accuracies).map { (x: $0.0, y: $0.1) }))
                    }
                }
            case .trainQuantity(let id, .distance):
                guard let t = trained[id]?.outcome else { continue }
                curves.append(.init(panel: .distance, series: item.label, points: t.distance.map { (x: Double($0.step), y: $0.relative) }))
            case .trainQuantity(let id, _):
                guard let t = trained[id]?.outcome else { continue }
                curves.append(.init(panel: .loss, series: "\(item.label), training loss", points: t.curve.map { (x: Double($0.step), y: $0.loss) }))
                for (j, name) in (t.epochs.first?.evaluations.map(\.data) ?? []).enumerated() {
                    curves.append(.init(panel: .accuracy, series: "\(item.label), \(dataName(name))",
                                        points: t.epochs.map { (x: Double($0.step), y: $0.evaluations[j].accuracy) }))
                }
                curves.append(.init(panel: .accuracy, series: "\(item.label), training batch",
                                    points: t.curve.map { (x: Double($0.step), y: $0.accuracy) }))
            case .number, .text, .accuracy, .loss, .underEachElement, .invariance, .equivariance, .distanceToE, .gradientIdentity, .parameterCount:
                continue   // the checker admits only curves on these axes
            }
        }
        return .curves(curves)
    }

    // MARK: Writing results

    /// Everything the run computed, as canonical JSON (no timings, so equal runs give equal bytes).
    public func resultsJSON(complete: Bool) -> JSONValue {
        var tablesJSON: [String: JSONValue] = [:]
        for n in tableOrder { tablesJSON[n] = tables[n]!.json }
        var trainings: [String: JSONValue] = [:]
        for (id, t) in trained {
            let o = t.outcome
            trainings[id] = .object([
                "network": .string(t.spec.network.name),
                "parameters": .int(t.network.parameterCount),
                "steps": .int(o.steps),
                "final_loss": .double(o.finalLoss),
                "final_batch_accuracy": .double(o.finalAccuracy),
                "curve": .array(o.curve.map { .array([.int($0.step), .double($0.loss), .double($0.accuracy)]) }),
                "distance_to_E": .array(o.distance.map {
                    .object(["step": .int($0.step), "group": .string($0.group), "absolute": .double($0.absolute), "relative": .double($0.relative)])
                }),
                "epochs": .array(o.epochs.map { e in
                    .object(["epoch": .int(e.epoch), "step": .int(e.step), "train_loss": .double(e.trainLoss),
                             "train_accuracy": .double(e.trainAccuracy),
                             "evaluations": .array(e.evaluations.map {
                                 .object(["data": .string($0.data), "loss": .double($0.loss), "accuracy": .double($0.accuracy)])
                             })])
                }),
            ])
        }
        var mergesJSON: [String: JSONValue] = [:]
        for (id, m) in merges {
            let o = m.outcome
            mergesJSON[id] = .object(o.paths[0].json.merging([
                "alphas": .array(o.alphas.map { .double($0) }),
                "variants": .array(o.paths.map { .object($0.json) }),
                "match_points": o.matchPointsJSON, "matchings": .int(o.matchings),
                "weight_matching_sweeps": o.weightMatchingSweeps.map { .int($0) } ?? .null,
                "representations": o.representationsJSON,
                "learned_representation": learnedRepresentationJSON(m.merger),
                "symbols": .array(o.symbols.map {
                    .object(["name": .string($0.name), "channels": .int($0.channels), "fixed_points": .int($0.fixedPoints),
                             "two_cycles": .int($0.twoCycles), "longer_cycles": .array($0.longerCycles.map { .int($0) }),
                             "involution": .bool($0.isInvolution), "identity": .bool($0.isIdentity)])
                }),
            ]) { _, merge in merge })
        }
        trainings.merge(collected.trainings) { own, _ in own }
        mergesJSON.merge(collected.merges) { own, _ in own }
        return .object([
            "eqx_version": .string(eqxVersion),
            "run_id": .string(runID),
            "seed": .int(Int(truncatingIfNeeded: program.seed)),
            "complete": .bool(complete),
            "tables": .object(tablesJSON),
            "trainings": .object(trainings),
            "merges": .object(mergesJSON),
        ])
    }

    /// Writes every artefact of the run, then `results.json` last: it is the commit point. Tables (CSV),
    /// figures (SVG, and PDF when `rsvg-convert` is installed), `run.json` and `report.html` are written
    /// first (checkpoints were written when their training finished); if any of them fails, `results.json`
    /// still records the results, with `"complete": false`, and the first failure is thrown.
    public func writeResults(complete: Bool, failure: String? = nil) throws {
        guard let dir = runDirectory else { return }
        var firstError: Error?
        func attempt(_ body: () throws -> Void) {
            do { try body() } catch { if firstError == nil { firstError = error } }
        }
        var tableFiles: [(ResultTable, String)] = []
        for n in tableOrder {
            let file = "\(safeName(n)).csv"
            attempt { try tables[n]!.writeCSV(to: dir.appendingPathComponent(file)) }
            tableFiles.append((tables[n]!, file))
        }
        let converter = FigureConverter.find()
        var figureEntries: [RunReport.Figure] = []
        for (name, figure) in figures.figures() {
            let svg = figure.svg()
            var files = ["\(safeName(name)).svg"]
            attempt { try AtomicFile.write(svg, to: dir.appendingPathComponent(files[0])) }
            if let converter {
                attempt {
                    try converter.convert(dir.appendingPathComponent(files[0]), toPDF: dir.appendingPathComponent("\(safeName(name)).pdf"))
                    files.append("\(safeName(name)).pdf")
                }
            }
            figureEntries.append(RunReport.Figure(name: safeName(name), title: figure.title, svg: svg, files: files))
        }
        let reportURL = dir.appendingPathComponent("report.html")
        attempt {
            let ok = complete && firstError == nil
            let why = failure ?? (firstError.map { "an artefact could not be written: \($0)" })
            try AtomicFile.write(runReport(tables: tableFiles, figures: figureEntries, complete: ok, failure: ok ? nil : why).html(),
                                 to: reportURL)
        }
        let run = runJSON(complete: complete && firstError == nil)
        attempt { try CanonicalJSON.write(run, to: dir.appendingPathComponent("run.json")) }
        // The marker lists the run's files, so that another run into this directory removes exactly them.
        let checkpoints = trained.keys.sorted().map { "checkpoints/\(checkpointName($0)).safetensors" }
        var saved: [String] = []
        for case .save(let s) in program.steps where !s.path.hasPrefix("/") { saved.append(s.path) }
        let written = ["operative.eqx"] + tableFiles.map(\.1) + figureEntries.flatMap(\.files) + ["report.html", "run.json"]
            + checkpoints + saved + ["results.json"]
        attempt { try claim?.record(runID: runID, files: written) }
        try CanonicalJSON.write(resultsJSON(complete: complete && firstError == nil), to: dir.appendingPathComponent("results.json"))
        if let firstError { throw firstError }
        observer(.note("results in \(dir.path)"))
        observer(.wrote(reportURL))
    }

    func runJSON(complete: Bool) -> JSONValue {
        var fingerprints: [String: JSONValue] = [:]
        for (id, d) in data {
            fingerprints[id] = .object(["train": .string(d.train.fingerprint), "test": d.test.map { .string($0.fingerprint) } ?? .null,
                                        "train_count": .int(d.train.count), "test_count": .int(d.test?.count ?? 0)])
        }
        return .object([
            "eqx_version": .string(eqxVersion),
            "run_id": .string(runID),
            "script": .string(options.scriptName),
            "seed": .int(Int(truncatingIfNeeded: program.seed)),
            "threads": .int(ComputeThreads.count),
            "complete": .bool(complete),
            "data": .object(fingerprints),
            "wall_seconds": .double(Date().timeIntervalSince(started)),
            "statements": .array(timings.map { .object(["statement": .string($0.0), "seconds": .double($0.1)]) }),
        ])
    }
}
