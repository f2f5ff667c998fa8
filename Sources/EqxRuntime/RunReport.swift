import EqxData
import EqxSyntax
import Foundation

/// `report.html`: one self-contained page per run directory (no network access, no external files needed
/// to read it): status and metadata, every figure inline, every table sortable, each merge's barriers and
/// permutation statistics, the operative script highlighted, and links to the run's files.
struct RunReport {
    struct Figure {
        var name: String
        var title: String
        var svg: String
        /// Files of this figure next to the report (`plot_line12.svg`, and `.pdf`/`.png` when converted).
        var files: [String]
    }
    struct Merge {
        var id: String
        var barriers: [(String, Double)]
        var symbols: [[String]]
    }
    struct Training {
        var id: String
        var network: String
        var steps: Int
        var finalLoss: Double
        var finalAccuracy: Double
        var checkpoint: String?
    }

    var scriptName: String
    var runID: String
    var complete: Bool
    /// Why the run is incomplete, when known.
    var failure: String?
    var metadata: [(String, String)]
    var data: [[String]]
    var timings: [(String, Double)]
    var tables: [(table: ResultTable, file: String)]
    var figures: [Figure]
    var trainings: [Training]
    var merges: [Merge]
    var script: String
    var files: [String]

    static let symbolColumns = ["symbol", "channels", "fixed points", "2-cycles", "longer cycles", "involution", "identity"]

    func html() -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(scriptName)) · run \(e(runID))</title>
        <style>\(RunReport.css)</style>
        </head>
        <body>
        <header>
        <h1>\(e(scriptName)) <span class="run">run \(e(runID))</span>
        <span class="status \(complete ? "complete" : "incomplete")">\(complete ? "complete" : "incomplete")</span></h1>

        """
        if let failure { h += "<p class=\"failure\">\(e(failure))</p>\n" }
        h += "<nav>" + sections.map { "<a href=\"#\($0.0)\">\(e($0.1))</a>" }.joined(separator: " · ") + "</nav>\n</header>\n<main>\n"

        if !figures.isEmpty {
            h += "<section id=\"figures\"><h2>Figures</h2>\n<div class=\"figures\">\n"
            for f in figures {
                h += "<figure id=\"figure-\(e(f.name))\" data-figure=\"\(e(f.name))\">\n" + RunReport.inline(f.svg)
                h += "<figcaption>" + f.files.map { "<a href=\"\(e(link($0)))\">\(e($0))</a>" }.joined(separator: " ")
                h += "</figcaption>\n</figure>\n"
            }
            h += "</div>\n</section>\n"
        }

        if !tables.isEmpty {
            h += "<section id=\"tables\"><h2>Tables</h2>\n"
            for (t, file) in tables {
                h += "<h3 id=\"table-\(e(t.title))\">\(e(t.title)) <a class=\"file\" href=\"\(e(link(file)))\">\(e(file))</a></h3>\n"
                h += "<div class=\"scroll\">" + table(columns: t.columns, rows: t.rows.map { $0.map(RunReport.cell) },
                                                      className: "sortable results", name: t.title) + "</div>\n"
            }
            h += "</section>\n"
        }

        if !trainings.isEmpty {
            h += "<section id=\"trainings\"><h2>Trainings</h2>\n<div class=\"scroll\">"
            let rows = trainings.map { t in
                [t.id, t.network, String(t.steps), RunReport.number(t.finalLoss), RunReport.number(t.finalAccuracy), t.checkpoint ?? ""]
            }
            h += table(columns: ["training", "network", "steps", "final batch loss", "final batch accuracy", "checkpoint"], rows: rows,
                       className: "sortable trainings", links: 5)
            h += "</div></section>\n"
        }

        if !merges.isEmpty {
            h += "<section id=\"merges\"><h2>Merges</h2>\n"
            for m in merges {
                h += "<h3 id=\"merge-\(e(m.id))\">\(e(m.id))</h3>\n"
                h += keyValueTable(m.barriers.map { ($0.0, RunReport.number($0.1)) })
                if !m.symbols.isEmpty {
                    h += "<div class=\"scroll\">" + table(columns: RunReport.symbolColumns, rows: m.symbols,
                                                         className: "sortable permutations", name: m.id) + "</div>\n"
                }
            }
            h += "</section>\n"
        }

        h += "<section id=\"run\"><h2>Run</h2>\n" + keyValueTable(metadata)
        if !data.isEmpty {
            h += "<h3>Data</h3>\n" + table(columns: ["data", "train fingerprint", "train samples", "test fingerprint", "test samples"],
                                          rows: data, className: "data")
        }
        if !timings.isEmpty {
            h += "<details><summary>Time per statement</summary>\n" + table(columns: ["statement", "seconds"],
                rows: timings.map { [$0.0, String(format: "%.2f", $0.1)] }, className: "sortable timings") + "</details>\n"
        }
        h += "</section>\n"

        h += "<section id=\"script\"><h2>Operative script</h2>\n<pre class=\"script\"><code>"
        h += RunReport.highlight(script) + "</code></pre>\n</section>\n"

        h += "<section id=\"files\"><h2>Files</h2>\n<ul class=\"files\">\n"
        for f in files { h += "<li><a href=\"\(e(link(f)))\">\(e(f))</a></li>\n" }
        h += "</ul>\n</section>\n</main>\n<script>\(RunReport.script)</script>\n</body>\n</html>\n"
        return h
    }

    private var sections: [(String, String)] {
        var s: [(String, String)] = []
        if !figures.isEmpty { s.append(("figures", "figures")) }
        if !tables.isEmpty { s.append(("tables", "tables")) }
        if !trainings.isEmpty { s.append(("trainings", "trainings")) }
        if !merges.isEmpty { s.append(("merges", "merges")) }
        return s + [("run", "run"), ("script", "script"), ("files", "files")]
    }

    private func keyValueTable(_ rows: [(String, String)]) -> String {
        "<table class=\"meta\"><tbody>\n" + rows.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>\n" }.joined() + "</tbody></table>\n"
    }

    /// `links`: the index of a column whose cells are file paths.
    private func table(columns: [String], rows: [[String]], className: String, name: String? = nil, links: Int? = nil) -> String {
        var h = "<table class=\"\(className)\"" + (name.map { " data-table=\"\(e($0))\"" } ?? "") + ">\n<thead><tr>"
        for c in columns { h += "<th scope=\"col\">\(e(c))</th>" }
        h += "</tr></thead>\n<tbody>\n"
        for r in rows {
            h += "<tr>"
            for (i, v) in r.enumerated() {
                let numeric = Double(v) != nil || v == "NaN" || v == "inf" || v == "-inf"
                let content = i == links && !v.isEmpty ? "<a href=\"\(e(link(v)))\">\(e(v))</a>" : e(v)
                h += numeric ? "<td class=\"num\" data-value=\"\(e(v))\">\(content)</td>" : "<td>\(content)</td>"
            }
            h += "</tr>\n"
        }
        return h + "</tbody></table>\n"
    }

    /// A relative link with each path component percent-encoded.
    private func link(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? String($0)
        }.joined(separator: "/")
    }

    private func e(_ s: String) -> String { RunReport.escape(s) }

    static func escape(_ s: String) -> String { Markup.escape(s, keepingLineBreaks: true) }

    static func cell(_ v: ResultTable.Value) -> String {
        if case .double(let d) = v { return number(d) }
        return v.csvText
    }

    /// Six significant digits: enough to compare runs by eye; the CSV and JSON files have every digit.
    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        return String(format: "%.6g", d)
    }

    /// An SVG document as an inline element: without its XML declaration, scaled to the page's width.
    static func inline(_ svg: String) -> String {
        var body = Substring(svg)
        if body.hasPrefix("<?xml"), let end = body.firstIndex(of: "\n") { body = body[body.index(after: end)...] }
        return String(body)
    }

    /// The script with keywords, names of statements, numbers, strings and comments marked for colour. The
    /// lexer decides what is what, so the colours agree with how eqx reads the script.
    static func highlight(_ source: String) -> String {
        let file = SourceFile(name: "operative.eqx", text: source)
        let lexed = lex(file)
        var marks: [(range: SourceRange, className: String)] = lexed.comments.map { ($0.range, "c") }
        for t in lexed.tokens {
            let c: String?
            switch t.kind {
            case .keyword: c = "k"
            case .integer, .number, .dimensions: c = "n"
            case .string: c = "s"
            case .arrow, .dotDot, .colon, .comma, .semicolon, .dot, .leftParen, .rightParen, .leftBracket, .rightBracket,
                 .leftBrace, .rightBrace, .plus, .minus, .star, .slash, .percent, .equals, .identifier, .newline, .endOfFile: c = nil
            }
            if let c { marks.append((t.range, c)) }
        }
        marks.sort { $0.range.start < $1.range.start }
        var out = "", position = 0
        let bytes = file.bytes
        func text(_ a: Int, _ b: Int) -> String { escape(String(decoding: bytes[a..<b], as: UTF8.self)) }
        for m in marks where m.range.start >= position && m.range.end <= bytes.count && m.range.end > m.range.start {
            out += text(position, m.range.start)
            out += "<span class=\"\(m.className)\">" + text(m.range.start, m.range.end) + "</span>"
            position = m.range.end
        }
        return out + text(position, bytes.count)
    }

    static let css = """
    :root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#ffffff;--soft:#f6f8fa;--accent:#0072B2}
    *{box-sizing:border-box}
    body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
    header{padding:18px 28px 10px;border-bottom:1px solid var(--line);background:var(--soft)}
    h1{margin:0 0 6px;font-size:22px;font-weight:600}
    h1 .run{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted);margin-left:8px}
    .status{font-size:12px;font-weight:600;padding:2px 8px;border-radius:10px;margin-left:8px;vertical-align:3px}
    .status.complete{background:#dafbe1;color:#116329}.status.incomplete{background:#ffebe9;color:#a40e26}
    .failure{color:#a40e26;margin:4px 0}
    nav a{color:var(--accent);text-decoration:none}nav{font-size:13px}
    main{padding:0 28px 40px;max-width:1280px}
    h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
    h3{font-size:15px;margin:18px 0 8px}
    a.file{font-weight:400;font-size:12px;margin-left:8px;color:var(--accent)}
    table{border-collapse:collapse;font-size:13px;margin:4px 0 12px}
    th,td{padding:3px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
    td.num{text-align:right;font-variant-numeric:tabular-nums;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
    thead th{background:var(--soft);position:sticky;top:0}
    table.sortable thead th{cursor:pointer;user-select:none}
    table.sortable thead th[aria-sort=ascending]::after{content:" ▲";font-size:10px}
    table.sortable thead th[aria-sort=descending]::after{content:" ▼";font-size:10px}
    table.meta th{font-weight:600;color:var(--muted);background:none}
    .scroll{overflow-x:auto;max-width:100%}
    .figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:18px}
    figure{margin:0;padding:10px;border:1px solid var(--line);border-radius:6px;background:#fff}
    figure svg{width:100%;height:auto;display:block}
    figcaption{font-size:12px;color:var(--muted);margin-top:6px}
    figcaption a{color:var(--accent);margin-right:8px}
    details summary{cursor:pointer;color:var(--muted);margin:8px 0}
    pre.script{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:12px 14px;overflow-x:auto;
      font:12.5px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace}
    .script .k{color:#8250df;font-weight:600}.script .n{color:#0550ae}.script .s{color:#0a3069}.script .c{color:#6e7781;font-style:italic}
    ul.files{columns:3;font-size:13px;font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
    ul.files a{color:var(--accent)}
    @media print{nav,a.file{display:none}figure{break-inside:avoid}}
    """

    /// Click a column head to sort by it (numbers as numbers, NaN last); again to reverse.
    static let script = """
    (function(){
      function key(cell){var v=cell.getAttribute('data-value');if(v===null)return cell.textContent;
        var x=parseFloat(v);if(v==='inf')x=Infinity;if(v==='-inf')x=-Infinity;return isNaN(x)?null:x;}
      function compare(a,b){if(a===b)return 0;if(a===null)return 1;if(b===null)return -1;
        if(typeof a==='number'&&typeof b==='number')return a-b;return String(a).localeCompare(String(b),undefined,{numeric:true});}
      document.querySelectorAll('table.sortable').forEach(function(table){
        var heads=table.tHead.rows[0].cells;
        Array.prototype.forEach.call(heads,function(th,index){
          th.tabIndex=0;
          function sort(){
            var descending=th.getAttribute('aria-sort')==='ascending';
            Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
            th.setAttribute('aria-sort',descending?'descending':'ascending');
            var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
            rows.sort(function(r,s){var c=compare(key(r.cells[index]),key(s.cells[index]));return descending?-c:c;});
            rows.forEach(function(r){body.appendChild(r);});
          }
          th.addEventListener('click',sort);
          th.addEventListener('keydown',function(ev){if(ev.key==='Enter'||ev.key===' '){ev.preventDefault();sort();}});
        });
      });
    })();
    """
}
