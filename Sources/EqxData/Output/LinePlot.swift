import Foundation

/// A line plot rendered as a standalone SVG document: title, axes with "nice" tick values, axis
/// labels, one line per series with a distinct colour and dash pattern (Okabe–Ito colours, safe
/// for colour-blind readers), markers on short series and single points, and a legend.
///
/// Points with a NaN or infinite coordinate are skipped (they break the line); on a log y axis
/// points with y ≤ 0 are skipped as well, and a note under the plot says how many were left out.
public struct LinePlot {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [(name: String, points: [(x: Double, y: Double)])]
    public var logY: Bool
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String, yLabel: String,
                series: [(name: String, points: [(x: Double, y: Double)])],
                logY: Bool = false, width: Double = 720, height: Double = 440) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.width = width
        self.height = height
    }

    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static let dashes = ["", "7,4", "2,3", "9,3,2,3"]

    /// Series `i` gets colour `i mod 7` and dash `(i / 7 + i mod 7) mod 4`: neighbours differ in
    /// both, and the first 28 styles are all different.
    static func style(_ index: Int) -> (colour: String, dash: String) {
        (colours[index % colours.count], dashes[(index / colours.count + index % colours.count) % dashes.count])
    }

    public func svg() -> String {
        // Which points can be drawn, and what was left out.
        var skippedNonFinite = 0, skippedNonPositive = 0
        let drawable: [[(x: Double, y: Double)?]] = series.map { entry in
            entry.points.map { point in
                guard point.x.isFinite, point.y.isFinite else { skippedNonFinite += 1; return nil }
                if logY && point.y <= 0 { skippedNonPositive += 1; return nil }
                return (point.x, logY ? log10(point.y) : point.y)
            }
        }
        let all = drawable.flatMap { $0.compactMap { $0 } }

        // Layout: legend on the right, sized to the longest name.
        let longest = series.map { Double($0.name.count) }.max() ?? 0
        let legendWidth = series.isEmpty ? 0 : min(260, 44 + 7 * longest)
        let left = 78.0, top = 42.0, bottom = 64.0 + (skippedNonFinite + skippedNonPositive > 0 ? 16 : 0)
        let right = 16 + legendWidth
        let plotWidth = max(80, width - left - right)
        let plotHeight = max(60, height - top - bottom)

        let xTicks = Ticks.linear(all.map(\.x))
        let yTicks = logY ? Ticks.logarithmic(all.map(\.y)) : Ticks.linear(all.map(\.y))
        func px(_ x: Double) -> Double { left + (x - xTicks.low) / (xTicks.high - xTicks.low) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - yTicks.low) / (yTicks.high - yTicks.low) * plotHeight }

        var svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="#ffffff"/>
        <text x="\(f(left + plotWidth / 2))" y="24" text-anchor="middle" font-size="15" font-weight="bold">\(escape(title))</text>

        """
        // Grid and ticks.
        for tick in xTicks.values {
            let x = px(tick.value)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(f(x))\" y=\"\(f(top + plotHeight + 17))\" text-anchor=\"middle\">\(escape(tick.label))</text>\n"
        }
        for tick in yTicks.values {
            let y = py(tick.value)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escape(tick.label))</text>\n"
        }
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333333\"/>\n"
        // Axis labels.
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight + 40))\" text-anchor=\"middle\" font-size=\"13\">\(escape(xLabel))</text>\n"
        let yLabelText = logY ? "\(yLabel) (log scale)" : yLabel
        svg += "<text x=\"18\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 18 \(f(top + plotHeight / 2)))\">\(escape(yLabelText))</text>\n"

        if all.isEmpty {
            svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" fill=\"#777777\">no data</text>\n"
        }

        // Series.
        for (index, points) in drawable.enumerated() {
            let (colour, dash) = LinePlot.style(index)
            let dashAttribute = dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\""
            var segments: [[(x: Double, y: Double)]] = [[]]
            for point in points {
                if let point { segments[segments.count - 1].append(point) } else if !segments.last!.isEmpty { segments.append([]) }
            }
            let drawn = points.compactMap { $0 }
            svg += "<g>\n"
            for segment in segments where segment.count >= 2 {
                let coordinates = segment.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                svg += "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashAttribute)/>\n"
            }
            // Markers on short series, and always for isolated points (a line of one point is invisible).
            for segment in segments where drawn.count <= 40 || segment.count == 1 {
                for point in segment {
                    svg += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"3\" fill=\"\(colour)\"/>\n"
                }
            }
            svg += "</g>\n"
        }

        // Legend.
        for (index, entry) in series.enumerated() {
            let (colour, dash) = LinePlot.style(index)
            let dashAttribute = dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\""
            let x = left + plotWidth + 14
            let y = top + 10 + Double(index) * 18
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 28))\" y2=\"\(f(y))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashAttribute)/>\n"
            svg += "<text x=\"\(f(x + 34))\" y=\"\(f(y + 4))\">\(escape(entry.name))</text>\n"
        }

        // Notes about skipped points.
        var notes: [String] = []
        if skippedNonFinite > 0 { notes.append("\(skippedNonFinite) NaN or infinite point\(skippedNonFinite == 1 ? "" : "s") skipped") }
        if skippedNonPositive > 0 {
            notes.append("\(skippedNonPositive) point\(skippedNonPositive == 1 ? "" : "s") with y ≤ 0 omitted from the log axis")
        }
        if !notes.isEmpty {
            svg += "<text x=\"\(f(left))\" y=\"\(f(height - 8))\" font-size=\"11\" fill=\"#777777\">note: \(escape(notes.joined(separator: "; ")))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    public func write(to url: URL) throws {
        try AtomicFile.write(svg(), to: url)
    }

    private func f(_ value: Double) -> String {
        String(format: "%.2f", value)
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters are not allowed in XML 1.0.
                if let ascii = c.asciiValue, ascii < 0x20 { out += " " } else { out.append(c) }
            }
        }
        return out
    }
}

/// Axis ticks: the axis range `low…high` and labelled tick positions inside it.
struct Ticks {
    var low: Double
    var high: Double
    var values: [(value: Double, label: String)]

    /// Heckbert's "nice numbers": about 5 ticks at 1, 2 or 5 × 10^k steps; the range is widened
    /// to whole steps. An empty or single-valued range is widened around its value.
    static func linear(_ data: [Double]) -> Ticks {
        var low = data.min() ?? 0, high = data.max() ?? 1
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.5
            low -= pad
            high += pad
        }
        let step = nice((high - low) / 4, round: true)
        let first = (low / step).rounded(.down) * step
        let last = (high / step).rounded(.up) * step
        let decimals = max(0, -Int((log10(step)).rounded(.down)))
        var values: [(Double, String)] = []
        var k = 0.0
        while first + k * step <= last + step * 1e-9 {
            var v = first + k * step
            if abs(v) < step * 1e-9 { v = 0 }
            values.append((v, label(v, decimals: decimals, step: step)))
            k += 1
        }
        return Ticks(low: first, high: last, values: values)
    }

    /// For data already in log10 units: ticks at integer powers of ten (every n-th decade when
    /// there are many), with the range widened to whole decades.
    static func logarithmic(_ exponents: [Double]) -> Ticks {
        var low = (exponents.min() ?? 0).rounded(.down)
        var high = (exponents.max() ?? 1).rounded(.up)
        if low == high { low -= 1; high += 1 }
        let every = max(1, Int(((high - low) / 8).rounded(.up)))
        var values: [(Double, String)] = []
        var e = Int(low)
        while Double(e) <= high {
            let text = abs(e) <= 3 ? label(pow(10, Double(e)), decimals: max(0, -e), step: pow(10, Double(e))) : "1e\(e)"
            values.append((Double(e), text))
            e += every
        }
        return Ticks(low: low, high: high, values: values)
    }

    static func nice(_ x: Double, round: Bool) -> Double {
        let exponent = log10(x).rounded(.down)
        let fraction = x / pow(10, exponent)
        let niceFraction: Double
        if round {
            niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * pow(10, exponent)
    }

    static func label(_ value: Double, decimals: Int, step: Double) -> String {
        if step >= 1e6 || (step < 1e-4 && value != 0) || abs(value) >= 1e7 {
            return String(format: "%.3g", value)
        }
        return String(format: "%.\(decimals)f", value)
    }
}
