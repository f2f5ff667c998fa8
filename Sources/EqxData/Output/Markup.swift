/// Text inside XML and HTML (figures, `report.html`).
public enum Markup {
    /// `&`, `<`, `>` and both quotes as entities (safe in text and in attribute values). Other control
    /// characters, which XML 1.0 does not allow, become spaces; line breaks and tabs too unless kept.
    public static func escape(_ text: String, keepingLineBreaks: Bool = false) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r\n":
                if keepingLineBreaks { out.append(c) } else { out += " " }
            default:
                if let ascii = c.asciiValue, ascii < 0x20 { out += " " } else { out.append(c) }
            }
        }
        return out
    }
}
