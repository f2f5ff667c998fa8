import EqxSyntax
import Foundation

/// A `:` command: its name, how it is called and what it does.
struct ReplCommandInfo {
    var name: String
    var usage: String
    var summary: String
    var details: String
}

enum ReplCommands {
    static let all: [ReplCommandInfo] = [
        .init(name: "help", usage: ":help [COMMAND]", summary: "list the commands, or explain one",
              details: "Any unambiguous prefix of a command works: :i is :info, :q is :quit; :r is ambiguous (:reload, :reset)."),
        .init(name: "load", usage: ":load FILE", summary: "run a script's statements in the session",
              details: "The script's statements are checked together with the session and run; its seed line sets the session's seed. Diagnostics point into FILE."),
        .init(name: "reload", usage: ":reload", summary: "reset, then load the last loaded file again",
              details: "Picks up edits to the file. Statements typed since the :load are dropped."),
        .init(name: "reset", usage: ":reset", summary: "forget every statement, result and setting",
              details: "The session starts over: no names, no trained networks, seed 0."),
        .init(name: "type", usage: ":type EXPR", summary: "the type of an expression, without computing it",
              details: "For example :type small, :type digits.test, :type accuracy(small, digits.test)."),
        .init(name: "shape", usage: ":shape NAME", summary: "shapes through a network, or the sample shape of data",
              details: "A net declaration is instantiated on the latest data of the session."),
        .init(name: "info", usage: ":info NAME", summary: "details of a network, group, merge or data",
              details: "A network: its layers with output shapes, channel representations and parameter counts (and its training). A group: order, elements and what it acts on. A merge: barriers, the interpolation curve and the permutations found. Data: counts, classes and statistics."),
        .init(name: "set", usage: ":set seed N", summary: "set the seed of every random stream",
              details: "Results that depend on the seed are computed again. ':set' alone shows the settings."),
        .init(name: "forget", usage: ":forget NAME", summary: "remove a name from the session",
              details: "What used it keeps its results; the name can be declared again. Declaring a name that exists shadows it without :forget. :save renames the old declarations (small → small_1) so the script stays valid."),
        .init(name: "time", usage: ":time STATEMENT", summary: "run a statement (or expression) and show how long it took",
              details: "Wall-clock time of the whole input, checking included. :t is :type."),
        .init(name: "save", usage: ":save [FILE]", summary: "write the session as a canonical script",
              details: "`eqx run FILE` reproduces the session: the same statements with the same seed. Without FILE the script is printed."),
        .init(name: "quit", usage: ":quit", summary: "leave the REPL (Ctrl-D does too)", details: ""),
    ]

    enum Lookup {
        case found(ReplCommandInfo)
        case ambiguous([String])
        case unknown(suggestion: String?)
    }

    /// Exact names first, then unambiguous prefixes.
    static func lookup(_ word: String) -> Lookup {
        if let exact = all.first(where: { $0.name == word }) { return .found(exact) }
        if word == "t", let type = all.first(where: { $0.name == "type" }) { return .found(type) }  // as in GHCi
        let matches = all.filter { $0.name.hasPrefix(word) }
        if matches.count == 1 { return .found(matches[0]) }
        if matches.count > 1 { return .ambiguous(matches.map(\.name)) }
        return .unknown(suggestion: suggestion(for: word, among: all.map(\.name)))
    }

    static var helpText: String {
        var t = TextTable(columns: ["command", "does"])
        for c in all { t.append([c.usage, c.summary]) }
        return "Type statements (net, data, train, merge, report, …) to add them to the session, or an expression\n"
            + "such as a name, accuracy(net, data.test) or 1 + 2 to see its value.\n\n" + t.render()
            + "\nCommands may be shortened to any unambiguous prefix. Ctrl-C stops a running train or merge;\n"
            + "Ctrl-D quits. Tab completes keywords, names and commands, and paths after :load and :save.\n"
    }
}

extension ReplSession {
    /// A line starting with `:`.
    func command(_ line: String) -> ReplResponse {
        var body = line.dropFirst()
        while body.first == " " { body.removeFirst() }
        let word = String(body.prefix { !$0.isWhitespace })
        let argument = body.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
        var response = ReplResponse()
        func usageError(_ message: String, help: String? = nil) -> ReplResponse {
            var r = ReplResponse()
            r.errors = "error: \(message)\n" + (help.map { "  = help: \($0)\n" } ?? "")
            r.failure = .usage
            return r
        }
        guard !word.isEmpty else { return usageError("expected a command after ':'", help: "type :help for the list") }
        let info: ReplCommandInfo
        switch ReplCommands.lookup(word) {
        case .found(let c): info = c
        case .ambiguous(let names):
            return usageError("':\(word)' is ambiguous: it could be " + names.map { ":" + $0 }.joined(separator: ", "),
                              help: "type more letters")
        case .unknown(let s):
            return usageError("unknown command ':\(word)'", help: s.map { "did you mean ':\($0)'?" } ?? "type :help for the list")
        }
        func needsArgument() -> ReplResponse? {
            argument.isEmpty ? usageError("\(info.usage) needs an argument", help: info.summary) : nil
        }
        switch info.name {
        case "help":
            if argument.isEmpty {
                response.output = ReplCommands.helpText
            } else {
                let name = argument.hasPrefix(":") ? String(argument.dropFirst()) : argument
                guard case .found(let c) = ReplCommands.lookup(name) else {
                    return usageError("no command ':\(name)'", help: "type :help for the list")
                }
                response.output = "\(c.usage)\n  \(c.summary)\n" + (c.details.isEmpty ? "" : "  \(c.details)\n")
            }
        case "load":
            if let e = needsArgument() { return e }
            return load(unquoted(argument))
        case "reload":
            guard let path = lastLoaded else { return usageError("nothing to reload", help: "load a script first with :load FILE") }
            reset()
            return load(path)
        case "reset":
            reset()
            lastLoaded = nil
            response.output = "session cleared\n"
        case "type", "shape", "info":
            if let e = needsArgument() { return e }
            let detail: Detail = info.name == "type" ? .type : info.name == "shape" ? .shape : .info
            return answer(SourceFile(name: "<repl>", text: argument + "\n"), detail)
        case "set":
            let parts = argument.split(separator: " ", omittingEmptySubsequences: true)
            if parts.isEmpty {
                response.output = "seed \(program()?.seed ?? 0)\nthreads \(options.threads)\n"
                    + "files \(options.writesFiles ? "written (save, plot, training cache)" : "not written")\n"
                return response
            }
            guard parts[0] == "seed" else {
                return usageError("unknown setting '\(parts[0])'", help: "settings: seed")
            }
            guard parts.count == 2, let n = UInt64(parts[1]) else {
                return usageError(":set seed needs a non-negative integer", help: ":set seed 7")
            }
            return ingest(SourceFile(name: "<repl>", text: "seed \(n)\n"), origin: .query)
        case "save":
            let text = canonicalScript
            if argument.isEmpty || argument == "-" {
                response.output = text
                return response
            }
            let url = resolve(path: unquoted(argument))
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                var r = ReplResponse()
                r.errors = "error: cannot write \(url.path): \(writeFailure(url, error))\n"
                r.failure = .ioError
                return r
            }
            let count = parse(SourceFile(name: "", text: text)).0.statements.count
            response.output = "saved \(count) statements to \(argument)\n"
        case "forget":
            if let e = needsArgument() { return e }
            return forget(argument)
        case "time":
            if let e = needsArgument() { return e }
            return timed(argument)
        case "quit":
            response.quit = true
        default:
            break
        }
        return response
    }

    private func unquoted(_ s: String) -> String {
        if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") { return String(s.dropFirst().dropLast()) }
        return s
    }

    /// Why `url` could not be written, in words: Foundation's message does not say which directory is missing.
    func writeFailure(_ url: URL, _ error: Error) -> String {
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            return "directory \(directory.path) does not exist"
        }
        if !isDirectory.boolValue { return "\(directory.path) is not a directory" }
        return error.localizedDescription
    }

    func resolve(path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded) }
        return options.directory.appendingPathComponent(expanded)
    }

    /// `:load FILE`: the file's statements join the session (diagnostics point into the file).
    func load(_ path: String) -> ReplResponse {
        let url = resolve(path: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: url.path) else {
            var r = ReplResponse()
            r.errors = "error: cannot read '\(path)': no such file\n"
            r.failure = .missingInput
            return r
        }
        let file = SourceFile(name: path, bytes: Array(data))
        var response = ingest(file, origin: .loaded(path))
        if response.failure == nil {
            lastLoaded = path
            let count = parse(file).0.statements.filter {
                if case .version = $0.kind { return false }
                return true
            }.count
            response.output += "loaded \(path): \(count) statement\(count == 1 ? "" : "s")\n"
        }
        return response
    }
}
