import EqxData
import EqxTensor
import Foundation

extension Executor {
    /// The run as a `report.html` page (see `RunReport`).
    func runReport(tables: [(ResultTable, String)], figures: [RunReport.Figure], complete: Bool, failure: String?) -> RunReport {
        var metadata: [(String, String)] = [
            ("script", options.scriptName),
            ("run id", runID),
            ("eqx version", eqxVersion),
            ("seed", String(program.seed)),
            ("threads", String(ComputeThreads.count)),
            ("started", ISO8601DateFormatter().string(from: started)),
            ("wall time", String(format: "%.1f s", Date().timeIntervalSince(started))),
        ]
        if let dir = runDirectory { metadata.append(("directory", dir.path)) }
        let dataRows = data.keys.sorted().map { id -> [String] in
            let d = data[id]!
            return [id, d.train.fingerprint, String(d.train.count), d.test?.fingerprint ?? "", d.test.map { String($0.count) } ?? ""]
        }
        var checkpointFiles: [String: String] = [:]
        let trainingRows = trained.keys.sorted().map { id -> RunReport.Training in
            let t = trained[id]!
            let file = "checkpoints/\(checkpointName(id)).safetensors"
            let exists = runDirectory.map { FileManager.default.fileExists(atPath: $0.appendingPathComponent(file).path) } ?? false
            if exists { checkpointFiles[id] = file }
            return RunReport.Training(id: id, network: t.spec.network.name, steps: t.outcome.steps, finalLoss: t.outcome.finalLoss,
                                      finalAccuracy: t.outcome.finalAccuracy, checkpoint: exists ? file : nil)
        }
        let mergeRows = merges.keys.sorted().map { id -> RunReport.Merge in
            let o = merges[id]!.outcome
            var barriers: [(String, Double)] = []
            for p in o.paths {
                // A merge with several curves names each one's barriers after the curve.
                let curve = o.paths.count > 1 ? " (\(p.variant.rawValue))" : ""
                barriers += [("loss barrier\(curve)", p.lossBarrier), ("accuracy barrier\(curve)", p.accuracyBarrier),
                             ("loss barrier at α = ½\(curve)", p.midpointLossBarrier),
                             ("accuracy barrier at α = ½\(curve)", p.midpointAccuracyBarrier)]
            }
            if let sweeps = o.weightMatchingSweeps { barriers.append(("weight-matching sweeps", Double(sweeps))) }
            let symbols = o.symbols.map { s in
                [s.name, String(s.channels), String(s.fixedPoints), String(s.twoCycles),
                 s.longerCycles.isEmpty ? "none" : s.longerCycles.map(String.init).joined(separator: " "),
                 s.isInvolution ? "yes" : "no", s.isIdentity ? "yes" : "no"]
            }
            return RunReport.Merge(id: id, barriers: barriers, symbols: symbols)
        }
        var files = ["results.json", "run.json", "operative.eqx"] + tables.map(\.1) + figures.flatMap(\.files)
        files += checkpointFiles.keys.sorted().map { checkpointFiles[$0]! }
        for case .save(let s) in program.steps where !s.path.hasPrefix("/") && !files.contains(s.path) { files.append(s.path) }
        return RunReport(scriptName: options.scriptName, runID: runID, complete: complete, failure: failure, metadata: metadata,
                         data: dataRows, timings: timings, tables: tables.map { (table: $0.0, file: $0.1) }, figures: figures,
                         trainings: trainingRows, merges: mergeRows, script: canonicalSource, files: files)
    }
}
