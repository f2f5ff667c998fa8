import EqxData
import EqxIR
import EqxNN
import EqxTraining
import Foundation

/// Running a program as separate units and collecting their results into one run directory whose
/// `results.json`, tables and plots are byte-identical to running the program in one process.
extension Executor {
    /// Loads the data and creates the run directory (its name needs the data fingerprints) without running
    /// any statement.
    /// A unit passes `claiming: false` (see `prepareRunDirectory`); the submitting side claims the directory
    /// (removing another run's files), then lets it go with `releaseRunDirectory()` so the collecting job can
    /// claim it again.
    public func prepare(claiming: Bool = true) throws {
        started = Date()
        for case .data(let d) in program.steps { try execute(.data(d)) }
        try prepareRunDirectory(claiming: claiming)
    }

    public func releaseRunDirectory() {
        claim?.release()
        claim = nil
    }

    /// Loads the data and returns the run id and the run directory a run would use, creating nothing
    /// (`eqx plan`, and the submitting side of a sweep before any unit exists).
    public func inspect() throws -> (runID: String, directory: URL) {
        for case .data(let d) in program.steps { try execute(.data(d)) }
        let id = makeRunID()
        return (id, options.outputDirectory ?? options.runsRoot.appendingPathComponent(options.scriptName).appendingPathComponent(id))
    }

    /// Runs one unit in a prepared executor: first the models it imports from other units (their trainings
    /// come from the cache), then its own steps. Writes only the unit's own files (checkpoints, `save`s);
    /// its results are returned for the caller to store.
    public func run(_ unit: RunUnit) throws -> UnitResults {
        // Checkpoint file names depend on which trainings came first (name clashes get a digest): claim them
        // in program order, as a run of the whole program does.
        for case .train(let t) in program.steps { _ = checkpointName(t.id) }
        for i in unit.imports { try execute(program.steps[i]) }
        var results = UnitResults(runID: runID, unit: unit)
        var trainIDs: [String] = [], mergeIDs: [String] = []
        for i in unit.steps {
            let step = program.steps[i]
            let timed = timings.count
            if case .plot(let p) = step {
                // What this unit adds to the figure, kept for the collecting job (which draws the figures).
                let t0 = Date()
                let contribution: FigureBuilder.Contribution
                do { contribution = try plotContribution(p) } catch var e as RuntimeError where e.range == nil {
                    e.range = p.range
                    throw e
                }
                figures.add(p, contribution)
                timings.append(("plot \(p.name)", Date().timeIntervalSince(t0)))
                results.plots.append(.init(step: i, name: p.name, plot: ExactJSON(contribution.json)))
            } else {
                try execute(step)
            }
            switch step {
            case .report(let r):
                let table = tables[r.table]!
                results.rows.append(.init(step: i, table: r.table, columns: table.columns,
                                          values: table.rows.last!.map { ExactJSON($0.json) }))
            case .plot:
                break   // recorded above
            case .train(let t): trainIDs.append(t.id)
            case .merge(let m): mergeIDs.append(m.id)
            case .data, .save, .summarize: break
            }
            for (label, seconds) in timings[timed...] { results.timings.append(label); results.seconds.append(seconds) }
        }
        guard case .object(let all) = resultsJSON(complete: false),
              case .object(let trainings)? = all["trainings"], case .object(let merges)? = all["merges"] else {
            throw RuntimeError("internal error: results.json is not an object")
        }
        for id in trainIDs { results.trainings[id] = trainings[id].map(ExactJSON.init) }
        for id in mergeIDs { results.merges[id] = merges[id].map(ExactJSON.init) }
        return results
    }

    /// Writes the run's results from the units' results, replayed in program order, and makes the summary
    /// rows. Units without results leave their rows out, the summaries of their tables are not made, and the
    /// run is marked incomplete. Returns the indices of the missing units.
    @discardableResult
    public func collect(_ graph: UnitGraph, results: [Int: UnitResults]) throws -> [Int] {
        try prepare()
        var rows: [Int: UnitResults.Row] = [:]
        var drawn: [Int: [UnitResults.Plot]] = [:]
        var units = graph.units.compactMap { results[$0.index] }
        units.sort { $0.unit < $1.unit }
        for u in units {
            for r in u.rows { rows[r.step] = r }
            for p in u.plots { drawn[p.step, default: []].append(p) }
            for (id, j) in u.trainings { collected.trainings[id] = j.value }
            for (id, j) in u.merges { collected.merges[id] = j.value }
        }
        var partialTables = Set<String>()
        var collectTimings: [(String, Double)] = []
        for (i, step) in program.steps.enumerated() {
            switch step {
            case .data, .train, .merge, .save: continue
            case .summarize(let table):
                guard !partialTables.contains(table) else { continue }
                let before = timings.count
                try execute(step)
                collectTimings += timings[before...]
            case .report(let r):
                guard let row = rows[i] else { partialTables.insert(r.table); continue }
                let values = try row.values.map { v -> ResultTable.Value in
                    guard let value = ResultTable.Value(v.value) else { throw RuntimeError("unit results: a table cell of \(r.table) is not a scalar", exitCode: 65) }
                    return value
                }
                try append(values, columns: row.columns, to: r.table, announce: r.row == nil)
            case .plot(let spec):
                for p in drawn[i] ?? [] {
                    guard let c = FigureBuilder.Contribution(p.plot.value) else {
                        throw RuntimeError("unit results: plot \(p.name) is malformed", exitCode: 65)
                    }
                    figures.add(spec, c)
                }
            }
        }
        timings = units.flatMap { u in zip(u.timings, u.seconds).map { ($0.0, $0.1) } } + collectTimings
        let missing = graph.units.map(\.index).filter { results[$0] == nil }
        try writeResults(complete: missing.isEmpty)
        return missing
    }

    /// For each training of `unit`: whether a finished checkpoint for it is in the cache. Nil when that is
    /// not known before running: its starting weights come from a model that is not cached yet.
    public func cacheStates(of unit: RunUnit) -> [(id: String, cached: Bool?)] {
        unit.steps.compactMap { i in
            guard case .train(let t) = program.steps[i] else { return nil }
            return (t.id, cachedCheckpoint(t).map { $0 != nil })
        }
    }

    /// The cache file of a training if it exists (.some(nil) if it does not); nil if unknown.
    private func cachedCheckpoint(_ spec: TrainSpec) -> URL?? {
        guard let dir = cacheDirectory, let data = try? dataset(spec.data) else { return nil }
        let initial: StateDict
        switch spec.initialWeights {
        case nil:
            initial = Network(spec: spec.network, seed: spec.seed, streamName: spec.seedName).state
        case .trained(let parentID)?:
            guard let parent = trainSpecs[parentID], case let file?? = cachedCheckpoint(parent),
                  let parentData = try? dataset(parent.data) else { return nil }
            let template = Network(spec: parent.network, seed: parent.seed, streamName: parent.seedName)
            guard let trainer = try? Trainer(spec: parent, network: template, data: parentData, evaluation: []),
                  let cached = try? TrainingCacheEntry.read(file, expecting: .init(template: template.state, optimizer: parent.optimizer,
                                                                                    totalSteps: trainer.totalSteps, finished: true))
            else { return nil }
            initial = cached.state
        case .merged?, .loaded?, .transformed?:
            return nil
        }
        let file = dir.appendingPathComponent("train-\(cacheKey(spec, data: data, initial: initial)).safetensors")
        return .some(FileManager.default.fileExists(atPath: file.path) ? file : nil)
    }

    private var trainSpecs: [String: TrainSpec] {
        var out: [String: TrainSpec] = [:]
        for case .train(let t) in program.steps { out[t.id] = t }
        return out
    }
}
