import Foundation

/// Builds the body of an SVG figure. Every element that carries meaning gets a `class` (`series`,
/// `band`, `tick-x`, `legend`, …) so that tests and scripts can read a figure's structure back.
struct SVGCanvas {
    let size: FigureSize
    private(set) var body = ""

    /// Font sizes in points: printed at 100 % these match a paper's 8–9 pt captions.
    static let tickFont = 7.5, labelFont = 8.5, titleFont = 9.5

    init(size: FigureSize) { self.size = size }

    /// The complete document: printed size in points, drawing units = points.
    func document() -> String {
        let w = SVGCanvas.number(size.width), h = SVGCanvas.number(size.height)
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(w)pt" height="\(h)pt" viewBox="0 0 \(w) \(h)" \
        font-family="Helvetica, Arial, sans-serif" font-size="\(SVGCanvas.number(SVGCanvas.tickFont))">
        <rect x="0" y="0" width="\(w)" height="\(h)" fill="#ffffff"/>

        """ + body + "</svg>\n"
    }

    mutating func raw(_ element: String) { body += element + "\n" }

    mutating func open(_ className: String, name: String? = nil) {
        body += "<g class=\"\(className)\"" + (name.map { " data-name=\"\(SVGCanvas.escape($0))\"" } ?? "") + ">\n"
    }

    mutating func close() { body += "</g>\n" }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 0.75,
                       dash: String = "", className: String? = nil) {
        body += "<line" + classAttribute(className) + " x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\""
            + " stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"" + dashAttribute(dash) + "/>\n"
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double, dash: String) {
        let coordinates = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body += "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
            + " stroke-linejoin=\"round\"" + dashAttribute(dash) + "/>\n"
    }

    mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        let coordinates = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body += "<polygon points=\"\(coordinates)\" fill=\"\(fill)\" fill-opacity=\"\(n(opacity))\" stroke=\"none\"/>\n"
    }

    mutating func rectangle(_ x: Double, _ y: Double, _ width: Double, _ height: Double, stroke: String, fill: String = "none",
                            className: String? = nil) {
        body += "<rect" + classAttribute(className) + " x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\""
            + " fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"0.75\"/>\n"
    }

    /// A marker of one of four shapes (circle, square, triangle, diamond), so series differ without colour too.
    mutating func marker(_ x: Double, _ y: Double, shape: Int, radius: Double, fill: String, hollow: Bool = false) {
        let paint = hollow ? "fill=\"#ffffff\" stroke=\"\(fill)\" stroke-width=\"0.9\"" : "fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"0.4\""
        let r = radius
        switch shape % 4 {
        case 0: body += "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" \(paint)/>\n"
        case 1: body += "<rect x=\"\(n(x - r * 0.9))\" y=\"\(n(y - r * 0.9))\" width=\"\(n(r * 1.8))\" height=\"\(n(r * 1.8))\" \(paint)/>\n"
        case 2:
            body += "<polygon points=\"\(n(x)),\(n(y - r * 1.15)) \(n(x + r)),\(n(y + r * 0.75)) \(n(x - r)),\(n(y + r * 0.75))\" \(paint)/>\n"
        default:
            body += "<polygon points=\"\(n(x)),\(n(y - r * 1.2)) \(n(x + r)),\(n(y)) \(n(x)),\(n(y + r * 1.2)) \(n(x - r)),\(n(y))\" \(paint)/>\n"
        }
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ content: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = SVGCanvas.tickFont,
                       bold: Bool = false, colour: String? = nil, rotate: Double? = nil, className: String? = nil) {
        var attributes = classAttribute(className) + " x=\"\(n(x))\" y=\"\(n(y))\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if size != SVGCanvas.tickFont { attributes += " font-size=\"\(n(size))\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        if let colour { attributes += " fill=\"\(colour)\"" }
        if let rotate { attributes += " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\"" }
        body += "<text\(attributes)>\(SVGCanvas.escape(content))</text>\n"
    }

    /// Draws a title centred over `x`, broken into lines at spaces to fit `width`; returns the height it takes.
    mutating func title(_ title: String, x: Double, width: Double) -> Double {
        guard !title.isEmpty else { return 8 }
        let lines = SVGCanvas.wrap(title, width: width, size: SVGCanvas.titleFont)
        for (i, line) in lines.enumerated() {
            text(line, x: x, y: 8 + SVGCanvas.titleFont + Double(i) * (SVGCanvas.titleFont + 2), anchor: .middle,
                 size: SVGCanvas.titleFont, bold: true, className: "title")
        }
        return 8 + Double(lines.count) * (SVGCanvas.titleFont + 2) + 4
    }

    /// Greedy line breaking at spaces (a word longer than the width gets a line of its own).
    static func wrap(_ text: String, width: Double, size: Double) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if !current.isEmpty && textWidth(candidate, size: size) * 1.1 > width {
                lines.append(current)
                current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// A rough width of `text` in points (Helvetica averages about 0.55 em per character).
    static func textWidth(_ text: String, size: Double = SVGCanvas.tickFont) -> Double {
        Double(text.count) * size * 0.56
    }

    static func number(_ value: Double) -> String {
        let text = String(format: "%.2f", value)
        // Trailing zeros say nothing and make files larger.
        if text.hasSuffix(".00") { return String(text.dropLast(3)) }
        if text.hasSuffix("0") { return String(text.dropLast()) }
        return text
    }

    private func n(_ value: Double) -> String { SVGCanvas.number(value) }
    private func classAttribute(_ c: String?) -> String { c.map { " class=\"\($0)\"" } ?? "" }
    private func dashAttribute(_ d: String) -> String { d.isEmpty ? "" : " stroke-dasharray=\"\(d)\"" }

    static func escape(_ text: String) -> String { Markup.escape(text) }

    /// Okabe–Ito colours (safe for the common colour-vision deficiencies), without the yellow that
    /// vanishes on white paper; black last.
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static let dashes = ["", "5,2.5", "1.5,2", "6,2,1.5,2"]

    /// Series `i` gets colour `i mod 7` and dash `(i / 7 + i mod 7) mod 4`: neighbours differ in
    /// both, and the first 28 styles are all different.
    static func style(_ index: Int) -> (colour: String, dash: String) {
        (colours[index % colours.count], dashes[(index / colours.count + index % colours.count) % dashes.count])
    }
}
