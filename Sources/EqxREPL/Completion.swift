import EqxIR
import EqxSyntax
import Foundation

/// What Tab should offer for the word under the cursor.
public enum ReplCompletion: Equatable {
    case words([String])
}

extension ReplSession {
    static let builtinFunctions = [
        "accuracy", "loss", "invariance", "equivariance", "distance_to_E", "gradient_identity", "parameters", "load", "orbit", "pairs",
        "mirror", "rotations", "dihedral", "translations", "symmetric", "semidirect", "trivial", "idx", "cifar10", "npy", "npz",
        "csv", "block_graphs", "builtin",
    ]

    /// Words inside braces: options of data, train and merge, and their usual values.
    static let clauseWords = [
        "mode", "nominal", "augmented", "equivariant", "channels", "regular", "loss", "crossentropy", "mse", "bce",
        "optimizer", "sgd", "adam", "lr", "momentum", "nesterov", "weight_decay", "schedule", "warmup", "cosine",
        "linear", "batch", "epochs", "steps", "track", "every", "evaluate", "precision", "from", "invariance", "weight", "start",
        "match", "activations", "weights", "alpha", "step", "reset", "batchnorm", "repair", "involutions", "representation", "resize", "normalize",
        "limit", "augment", "split", "horizontal", "vertical", "pad", "stride", "on", "with", "to", "as", "in",
    ]

    /// Candidates for `word`, the text before the cursor back to the last word break, in a line whose text
    /// before the word is `before`.
    public func completions(for word: String, before: String) -> ReplCompletion {
        let lead = before.trimmingCharacters(in: .whitespaces)
        if lead.isEmpty && pending.isEmpty && word.hasPrefix(":") {
            return .words(ReplCommands.all.map { ":" + $0.name }.filter { $0.hasPrefix(word) })
        }
        if lead.hasPrefix(":") && pending.isEmpty {
            let name = String(lead.dropFirst().prefix { !$0.isWhitespace })
            guard case .found(let c) = ReplCommands.lookup(name) else { return .words([]) }
            switch c.name {
            case "load", "save":
                // The path is all the text after the command: readline breaks words at `-` and `=` too.
                let afterCommand = before.drop { $0 == " " }.dropFirst().drop { $0 == " " }.drop { !$0.isWhitespace }
                let argument = String(afterCommand.drop { $0 == " " })
                if argument.contains(" ") { return .words([]) }  // one path only: no second name after a completed one
                return .words(pathCompletions(argument + word).map { String($0.dropFirst(argument.count)) })
            case "forget": return .words(declarations.map(\.name).filter { $0.hasPrefix(word) }.sorted())
            case "help": return .words(ReplCommands.all.map(\.name).filter { $0.hasPrefix(word) })
            case "set": return .words(["seed"].filter { $0.hasPrefix(word) })
            case "type", "shape", "info", "time": break
            default: return .words([])
            }
        }
        if let dot = word.lastIndex(of: ".") {
            let base = String(word[..<dot])
            let partial = String(word[word.index(after: dot)...])
            return .words(members(of: base).filter { $0.hasPrefix(partial) }.map { base + "." + $0 }.sorted())
        }
        var names = Keyword.allCases.map(\.rawValue) + declarations.map(\.name) + ReplSession.builtinFunctions
            + layerKinds + ReplSession.clauseWords
        names = names.filter { $0.hasPrefix(word) }
        var seen = Set<String>()
        return .words(names.filter { seen.insert($0).inserted }.sorted())
    }

    /// Paths that complete `typed` (relative to the session directory, absolute, `../…` or `~/…`), as they
    /// would be typed: a directory ends with `/` so the next Tab goes into it. Hidden files only after a `.`.
    public func pathCompletions(_ typed: String) -> [String] {
        if typed == "~" || typed == "." || typed == ".." { return [typed + "/"] }
        let slash = typed.lastIndex(of: "/")
        let directoryPart = slash.map { String(typed[...$0]) } ?? ""
        let prefix = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        let expanded = directoryPart.hasPrefix("~") ? (directoryPart as NSString).expandingTildeInPath : directoryPart
        let directory = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : options.directory.appendingPathComponent(expanded.isEmpty ? "." : expanded)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.hasPrefix(".")) }.map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
            return directoryPart + name + (isDirectory.boolValue ? "/" : "")
        }.sorted()
    }

    /// Members after `base.`: splits of data, quantities of merges and training runs.
    private func members(of base: String) -> [String] {
        if base == "builtin" { return ["digits"] }
        switch declaration(base) {
        case .data?: return ["train", "test"]
        case .merge?: return MergeQuantity.allCases.map(\.rawValue) + ["at", "representation"]
        case .train?: return TrainQuantity.allCases.map(\.rawValue)
        default: return []
        }
    }
}
