import EqxSyntax

extension Checker {
    func dataConstructor(_ f: String, _ args: [Argument], range: SourceRange) -> Value? {
        let allowed: [String]
        switch f {
        case "idx", "cifar10": allowed = []
        case "npy": allowed = ["inputs", "labels"]
        case "npz": allowed = ["inputs", "labels"]
        case "csv": allowed = ["label"]
        case "block_graphs": allowed = ["count", "block", "inside", "across"]
        default: return nil
        }
        guard let a = splitArguments(args, function: f, allowed: allowed) else { return nil }
        func path(_ i: Int, _ what: String) -> String? {
            guard i < a.positional.count else {
                error("E0406", "'\(f)' needs \(what)", at: range); return nil
            }
            return string(a.positional[i], what: what)
        }
        func labelled(_ n: String, _ what: String) -> String? {
            if let (_, e) = a.labelled[n] { return string(e, what: what) }
            error("E0406", "'\(f)' needs '\(n): \"...\"'", at: range); return nil
        }
        let source: DataSource
        switch f {
        case "idx":
            guard a.positional.count == 1, let p = path(0, "a directory path") else {
                if a.positional.count != 1 { error("E0406", "idx takes one directory path", at: range) }
                return nil
            }
            source = .idx(path: p)
        case "cifar10":
            guard a.positional.count == 1, let p = path(0, "a directory path") else {
                if a.positional.count != 1 { error("E0406", "cifar10 takes one directory path", at: range) }
                return nil
            }
            source = .cifar10(path: p)
        case "npy":
            guard let i = labelled("inputs", "inputs path"), let l = labelled("labels", "labels path") else { return nil }
            source = .npy(inputs: i, labels: l)
        case "npz":
            guard let p = path(0, "a .npz path") else { return nil }
            let i = a.labelled["inputs"].flatMap { string($0.1, what: "array name") } ?? "inputs"
            let l = a.labelled["labels"].flatMap { string($0.1, what: "array name") } ?? "labels"
            source = .npz(path: p, inputs: i, labels: l)
        case "csv":
            guard let p = path(0, "a .csv path") else { return nil }
            let l = a.labelled["label"].flatMap { string($0.1, what: "label column") } ?? "label"
            source = .csv(path: p, label: l)
        default: // block_graphs
            var count = 1000, block = 5
            var inside = 0.5, across = 0.05
            if let (_, e) = a.labelled["count"] { guard let n = positiveInteger(e, what: "graph count") else { return nil }; count = n }
            if let (_, e) = a.labelled["block"] { guard let n = positiveInteger(e, what: "block size") else { return nil }; block = n }
            for (key, store) in [("inside", 0), ("across", 1)] {
                if let (_, e) = a.labelled[key] {
                    guard let p = number(e, what: "edge probability"), p >= 0, p <= 1 else {
                        error("E0802", "edge probability '\(key)' must be in [0, 1]", at: e.range); return nil
                    }
                    if store == 0 { inside = p } else { across = p }
                }
            }
            source = .blockGraphs(count: count, blockSize: block, inside: inside, across: across)
        }
        return .source(source)
    }

    /// A data source that is neither a known dataset nor a constructor: did-you-mean over both, and
    /// where named datasets are looked for.
    func unknownDataset(_ name: String, at range: SourceRange) {
        let known = ["builtin.digits"] + DataSource.datasetNames
        let candidates = known + ["idx", "cifar10", "npy", "npz", "csv", "block_graphs"]
        let s = suggestion(for: name, among: candidates)
        let looked = probe.searchDirectories()
        error("E0401", "unknown data source '\(name)'", at: range, label: "not found",
              notes: looked.isEmpty ? [] : [DiagnosticNote("datasets by name are looked for in \(looked.joined(separator: ", "))")],
              help: s.map { "did you mean '\($0)'?" }
                ?? "known datasets: \(known.joined(separator: ", ")); other data: idx(\"dir\"), npy(…), npz(…), csv(…)",
              fixIts: s.map { [FixIt(range: range, replacement: $0)] } ?? [])
    }

    func checkData(name: Identifier, source e: Expr, clauses: [Clause], range: SourceRange) {
        guard let v = evaluate(e) else { return }
        let source: DataSource
        switch v {
        case .symbol("builtin.digits"): source = .builtinDigits
        case .symbol(let s) where DataSource.datasetNames.contains(s): source = .named(s)
        case .source(let s): source = s
        case .symbol(let s):
            unknownDataset(s, at: e.range)
            return
        default:
            error("E0403", "'\(name.name)' must be a data source, got a \(v.typeName)", at: e.range,
                  help: "data sources: builtin.digits, idx(\"dir\"), cifar10(\"dir\"), npy(inputs: \"x.npy\", labels: \"y.npy\"), npz(\"f.npz\"), csv(\"f.csv\", label: \"y\"), block_graphs(count: 1000)")
            return
        }
        var shape: DataShape
        do {
            shape = try probe.probe(source)
        } catch let missing as DatasetNotFound {
            self.error("E0803", "dataset '\(missing.name)' is not on this machine", at: e.range, label: "not found",
                       notes: missing.searched.map { DiagnosticNote("looked in \($0)") },
                       help: "`\(missing.fetch)` downloads it; EQX_DATA=DIR[:DIR…] adds directories to search")
            return
        } catch {
            self.error("E0801", "cannot read data '\(name.name)': \(error)", at: e.range, help: Checker.help(forUnreadable: error))
            return
        }
        var transforms: [DataTransform] = []
        var trainFraction: Double? = nil
        // The runtime divides the data before any other preprocessing, so the counts follow that order.
        let ordered = clauses.filter { $0.head.name == "split" } + clauses.filter { $0.head.name != "split" }
        for c in ordered {
            switch c.head.name {
            case "resize":
                guard shape.sampleShape.count == 3 else {
                    error("E0802", "resize applies to images [C, H, W], the samples have shape \(shape.sampleShape)", at: c.range)
                    continue
                }
                guard c.arguments.count == 1, case .dimensions(let d) = c.arguments[0].kind, d.count == 2, d.allSatisfy({ $0 > 0 && $0 <= 65_536 }) else {
                    error("E0406", "resize takes a size such as 14x14 (at most 65536x65536)", at: c.head.range); continue
                }
                var options = ModifierReader(clause: c, checker: self)
                var method = ResizeKind.bilinear
                if let e = options.take("method") {
                    guard let m = symbol(e, what: "resize method", among: ResizeKind.allCases.map(\.rawValue)) else { continue }
                    method = ResizeKind(rawValue: m)!
                }
                guard options.finish(allowed: ["method"]) else { continue }
                transforms.append(.resize(height: d[0], width: d[1], method: method))
                shape.sampleShape = [shape.sampleShape[0], d[0], d[1]]
            case "normalize":
                var mean: [Double]? = nil, std: [Double]? = nil
                for m in c.modifiers {
                    guard m.name.name == "mean" || m.name.name == "std" else {
                        error("E0404", "normalize has no option '\(m.name.name)'", at: m.name.range, help: "normalize [mean [..] std [..]]")
                        continue
                    }
                    let vals: [Double]?
                    switch evaluate(m.value) {
                    case .number(let x, _)?: vals = [x]
                    case .list(let xs)?: vals = xs.compactMap { if case .number(let x, _) = $0 { return x } else { return nil } }
                    default: vals = nil
                    }
                    guard let vs = vals, !vs.isEmpty else { error("E0403", "\(m.name.name) must be a number or a list of numbers", at: m.value.range); continue }
                    if m.name.name == "mean" { mean = vs } else { std = vs }
                }
                if let s = std, s.contains(where: { $0 <= 0 }) {
                    error("E0802", "std must be positive", at: c.range)
                }
                transforms.append(.normalize(mean: mean, std: std))
            case "limit":
                guard ModifierReader(clause: c, checker: self).finish(allowed: []) else { continue }
                guard c.arguments.count == 1, let n = positiveInteger(c.arguments[0], what: "limit") else {
                    if c.arguments.count != 1 { error("E0406", "limit takes a sample count", at: c.head.range) }
                    continue
                }
                transforms.append(.limit(n))
                shape.trainCount = shape.trainCount.map { min($0, n) }
                shape.testCount = shape.testCount.map { min($0, n) }
            case "augment":
                guard ModifierReader(clause: c, checker: self).finish(allowed: []) else { continue }
                guard c.arguments.count == 1, let g = groupValue(c.arguments[0]) else {
                    if c.arguments.count != 1 { error("E0406", "augment takes a group: augment flip", at: c.head.range) }
                    continue
                }
                guard checkGroupActs(g, onInput: shape.sampleShape, at: c.arguments[0].range) else { continue }
                guard g.isEnumerable else { error("E0505", "\(g) is too large to enumerate every transform of every sample", at: c.arguments[0].range); continue }
                let k = g.order(height: shape.sampleShape.count == 3 ? shape.sampleShape[1] : 1,
                                width: shape.sampleShape.count == 3 ? shape.sampleShape[2] : 1)
                // Checked: a huge group times a huge count must be E0804 below, not an overflow trap here.
                func times(_ n: Int?) -> Int? { n.map { let (p, o) = $0.multipliedReportingOverflow(by: k); return o ? Int.max : p } }
                transforms.append(.augment(g))
                shape.trainCount = times(shape.trainCount)
                shape.testCount = times(shape.testCount)
            case "split":
                guard ModifierReader(clause: c, checker: self).finish(allowed: []) else { continue }
                guard c.arguments.count == 1, let f = number(c.arguments[0], what: "train fraction"), f > 0, f < 1 else {
                    error("E0802", "split takes the training fraction, a number between 0 and 1", at: c.range); continue
                }
                if shape.testCount != nil {
                    warning("W0801", "this source has its own test split; 'split' re-divides the training part", at: c.range)
                }
                trainFraction = f
                if let n = shape.trainCount {
                    let t = Int((Double(n) * f).rounded())
                    shape.trainCount = t; shape.testCount = n - t
                }
            default:
                let known = ["resize", "normalize", "limit", "augment", "split"]
                let s = suggestion(for: c.head.name, among: known)
                error("E0404", "unknown data option '\(c.head.name)'", at: c.head.range,
                      label: "options: \(known.joined(separator: ", "))", help: s.map { "did you mean '\($0)'?" },
                      fixIts: s.map { [FixIt(range: c.head.range, replacement: $0)] } ?? [])
            }
        }
        // Too large to load is an error, but the declaration still stands so that its uses are checked.
        checkDataMemory(shape, name: name, range: e.range)
        let id = instanceID(name)
        let spec = DataSpec(id: id, source: source, transforms: transforms, trainFraction: trainFraction,
                            sampleShape: shape.sampleShape, classes: shape.classes, trainCount: shape.trainCount,
                            testCount: shape.testCount, range: range)
        steps.append(.data(spec))
        define(name, .data(spec))
    }
}

extension Checker {
    /// A missing file wants another path; a malformed one wants a new copy of the file, not a new path.
    static func help(forUnreadable error: Error) -> String {
        switch (error as? UnreadableInput)?.reason {
        case .malformed?:
            return "the file is there but malformed at the place named; re-create or re-download it"
        case .missing?, nil:
            return "check the path (relative paths start at the script's directory); `eqx data get NAME` downloads a named dataset"
        }
    }
}
