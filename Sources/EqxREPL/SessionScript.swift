import EqxIR
import EqxSyntax

/// One piece of the session script and where its text came from.
struct Segment {
    enum Origin: Equatable {
        /// `eqx 1` and the seed, written by the session.
        case header
        /// The n-th statement entry typed at the prompt.
        case entry(Int)
        /// A script read by `:load`.
        case loaded(String)
        /// The lines of an entry that failed while running: kept blank so line-keyed results
        /// (report tables are named after their line) are never reused.
        case tombstone
        /// A hidden statement that asks the checker about an expression; never kept.
        case query
        /// `:forget NAME`: a blank line from which on the checker no longer knows the name.
        case forget(String)
    }

    var origin: Origin
    /// The text placed in the session script; always ends with a newline.
    var text: String
    /// The file that diagnostics inside this segment are shown against (what the user typed or loaded).
    var display: SourceFile
    /// Bytes of `text` before the first byte of `display` (the hidden `report ` of a query).
    var shift: Int

    init(origin: Origin, text: String, display: SourceFile, shift: Int = 0) {
        self.origin = origin
        self.text = text.hasSuffix("\n") ? text : text + "\n"
        self.display = display
        self.shift = shift
    }

    var lineCount: Int { text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }

    /// Blank lines standing in for this segment.
    var tombstone: Segment {
        Segment(origin: .tombstone, text: String(repeating: "\n", count: lineCount),
                display: SourceFile(name: "<repl>", text: ""))
    }
}

/// The statements accepted so far as one script — `eqx 1`, `seed N`, then every entry and loaded file in
/// order — which is checked as a whole exactly like `eqx check` would check it.
///
/// Positions: the checker sees one file; diagnostics are moved back onto what the user typed. A position in
/// the current input shows as `<repl>:LINE:COL` (LINE counts from the input's first line); one in an earlier
/// input as `<repl#N>:LINE:COL` (N numbers the accepted inputs of the session); one in a loaded script as
/// `FILE:LINE:COL` with the file's own lines.
struct SessionScript {
    /// The name of the composed file; never shown, because every position is mapped back.
    static let internalName = "<eqx-repl-session>"

    /// The seed statement's expression as written (`7`).
    var seedText = "0"
    var segments: [Segment] = []

    var header: Segment {
        let text = "eqx 1\nseed \(seedText)\n"
        return Segment(origin: .header, text: text, display: SourceFile(name: "<repl>", text: text))
    }

    func composed(with extra: [Segment] = []) -> ComposedScript {
        ComposedScript(segments: [header] + segments + extra)
    }
}

/// The session script as one `SourceFile` plus the map from its offsets to the segments.
struct ComposedScript {
    let file: SourceFile
    let segments: [Segment]
    /// Offset of each segment's first byte in `file`.
    let starts: [Int]

    init(segments: [Segment]) {
        var text = "", starts: [Int] = []
        var offset = 0
        for s in segments {
            starts.append(offset)
            text += s.text
            offset += s.text.utf8.count
        }
        self.segments = segments
        self.starts = starts
        file = SourceFile(name: SessionScript.internalName, text: text)
    }

    /// How the checker reads the session: later declarations shadow earlier ones, `:forget` removes names.
    var rules: SessionRules {
        var forgotten: [(offset: Int, name: String)] = []
        for (s, start) in zip(segments, starts) {
            if case .forget(let name) = s.origin { forgotten.append((start, name)) }
        }
        return SessionRules(shadowing: true, forgotten: forgotten)
    }

    /// Index of the segment holding `offset` (the end of the file belongs to the last segment).
    func segmentIndex(containing offset: Int) -> Int {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The segment and the offset in its display file.
    func displayPosition(of offset: Int) -> (segment: Segment, offset: Int) {
        let i = segmentIndex(containing: offset)
        let s = segments[i]
        let local = offset - starts[i] - s.shift
        return (s, max(0, min(local, s.display.bytes.count)))
    }

    func displayRange(_ r: SourceRange) -> (Segment, SourceRange) {
        let i = segmentIndex(containing: r.start)
        let s = segments[i]
        let clamp = { (o: Int) in max(0, min(o - starts[i] - s.shift, s.display.bytes.count)) }
        let start = clamp(r.start)
        return (s, SourceRange(start: start, end: max(start, clamp(r.end))))
    }

    /// `NAME:LINE:COL` as the user should see it.
    func place(of offset: Int) -> String {
        let (s, local) = displayPosition(of: offset)
        return "\(s.display.name):\(s.display.location(of: local))"
    }

    /// The diagnostic moved onto the file it should be shown against: its range, its notes' places and every
    /// `FILE:LINE:COL` the checker wrote into messages.
    func map(_ d: Diagnostic) -> (Diagnostic, SourceFile) {
        var out = d
        let display: SourceFile
        if let r = d.range {
            let (s, local) = displayRange(r)
            display = s.display
            out.range = local
        } else {
            display = segments.last?.display ?? file
        }
        out.message = rewritePlaces(d.message)
        out.label = d.label.map(rewritePlaces)
        out.help = d.help.map(rewritePlaces)
        out.notes = d.notes.map { note in
            var message = rewritePlaces(note.message)
            if let r = note.range {
                let p = place(of: r.start)
                if !message.contains(p) { message += " at " + p }
            }
            return DiagnosticNote(message)
        }
        out.fixIts = d.fixIts.map { FixIt(range: displayRange($0.range).1, replacement: $0.replacement) }
        return (out, display)
    }

    /// Replaces `<eqx-repl-session>:L:C` (the checker's own location strings) with mapped places.
    func rewritePlaces(_ text: String) -> String {
        let marker = SessionScript.internalName + ":"
        guard text.contains(marker) else { return text }
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: marker) {
            out += rest[rest.startIndex..<r.lowerBound]
            var tail = rest[r.upperBound...]
            guard let (line, column, after) = ComposedScript.lineColumn(tail) else {
                out += marker
                rest = tail
                continue
            }
            out += place(of: offset(line: line, column: column))
            tail = after
            rest = tail
        }
        return out + rest
    }

    /// Parses `L:C` at the start of `s`.
    static func lineColumn(_ s: Substring) -> (Int, Int, Substring)? {
        func number(_ s: Substring) -> (Int, Substring)? {
            let digits = s.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int(digits) else { return nil }
            return (n, s[digits.endIndex...])
        }
        guard let (line, a) = number(s), a.first == ":", let (column, b) = number(a.dropFirst()) else { return nil }
        return (line, column, b)
    }

    /// Byte offset of a 1-based line and scalar column in `file`.
    func offset(line: Int, column: Int) -> Int {
        guard line >= 1, line <= file.lineStarts.count else { return file.bytes.count }
        var i = file.lineStarts[line - 1]
        var c = 1
        while c < column, i < file.bytes.count, file.bytes[i] != UInt8(ascii: "\n") {
            i += 1
            while i < file.bytes.count, file.bytes[i] & 0xC0 == 0x80 { i += 1 }
            c += 1
        }
        return i
    }
}
