import Foundation

/// A line plot rendered as a standalone SVG document sized for a paper (`FigureSize`): title, axes that
/// end at the data with "nice" ticks (decades and minor ticks on a log axis), axis labels, one line per
/// series with a distinct colour and dash pattern, an optional band per series (the min–max range over
/// repetitions around their median), markers on short series and single points, and a legend under the axes.
///
/// Points with a NaN or infinite coordinate are skipped (they break the line). On a log y axis, exact
/// zeros are drawn on a dotted floor line under the axis marked "= 0" and named in the legend; negative
/// values are skipped and a note under the plot says how many.
public struct LinePlot {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Lower and upper edge of a band around the line (empty: no band).
        public var band: [(x: Double, low: Double, high: Double)]

        public init(name: String, points: [(x: Double, y: Double)], band: [(x: Double, low: Double, high: Double)] = []) {
            self.name = name
            self.points = points
            self.band = band
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logY: Bool
    public var size: FigureSize
    /// Said under the plot (for example "median and min–max over 3 repetitions").
    public var caption: String?

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logY: Bool = false,
                size: FigureSize = .column, caption: String? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.size = size
        self.caption = caption
    }

    public init(title: String, xLabel: String, yLabel: String, series: [(name: String, points: [(x: Double, y: Double)])],
                logY: Bool = false, size: FigureSize = .column) {
        self.init(title: title, xLabel: xLabel, yLabel: yLabel, series: series.map { Series(name: $0.name, points: $0.points) },
                  logY: logY, size: size)
    }

    static let floorColour = "#666666"

    /// A value in drawing units: log10 on a log axis, `-inf` for an exact zero there (drawn on the floor), nil when
    /// it cannot be drawn.
    private func transform(_ y: Double) -> Double? {
        guard y.isFinite else { return nil }
        guard logY else { return y }
        if y == 0 { return -.infinity }
        return y > 0 ? log10(y) : nil
    }

    public func svg() -> String {
        // Which points can be drawn, and what was left out.
        var skippedNonFinite = 0, skippedNegative = 0
        let drawable: [[(x: Double, y: Double)?]] = series.map { entry in
            entry.points.map { point in
                guard point.x.isFinite, point.y.isFinite else { skippedNonFinite += 1; return nil }
                guard let y = transform(point.y) else { skippedNegative += 1; return nil }
                return (point.x, y)
            }
        }
        let bands: [[(x: Double, low: Double, high: Double)]] = series.map { entry in
            entry.band.compactMap { b in
                guard b.x.isFinite, let low = transform(b.low), let high = transform(b.high) else { return nil }
                return (b.x, low, high)
            }
        }
        let all = drawable.flatMap { $0.compactMap { $0 } }
        let hasZeros = logY && (all.contains { $0.y == -.infinity } || bands.joined().contains { $0.low == -.infinity })
        let ys = all.map(\.y) + bands.joined().flatMap { [$0.low, $0.high] }
        let finiteYs = ys.filter(\.isFinite)

        let xTicks = Ticks.linear(all.map(\.x) + bands.joined().map(\.x), padding: 0, maximum: 6)
        let yTicks = logY ? Ticks.logarithmic(finiteYs) : Ticks.linear(finiteYs, padding: 0.05, maximum: 6)

        // Legend entries.
        var legend = Legend(entries: series.indices.map { i in
            let (colour, dash) = SVGCanvas.style(i)
            let marker = drawable[i].compactMap { $0 }.count <= 40 ? i : nil
            return Legend.Entry(text: series[i].name, sample: bands[i].isEmpty ? .line(colour: colour, dash: dash, marker: marker)
                                                                                 : .band(colour: colour, dash: dash))
        })
        if hasZeros { legend.entries.append(Legend.Entry(text: "= 0 (exactly zero)", sample: .floor)) }

        var notes: [String] = []
        if let caption { notes.append(caption) }
        if skippedNonFinite > 0 { notes.append("\(skippedNonFinite) NaN or infinite point\(skippedNonFinite == 1 ? "" : "s") skipped") }
        if skippedNegative > 0 {
            notes.append("\(skippedNegative) negative point\(skippedNegative == 1 ? "" : "s") omitted from the log axis")
        }

        // Layout.
        let yLabelWidth = (yTicks.values.map { SVGCanvas.textWidth($0.label) }.max() ?? 10)
        let left = 4 + SVGCanvas.labelFont + 5 + max(yLabelWidth, hasZeros ? SVGCanvas.textWidth("= 0") : 0) + 4
        let right = 10.0
        let plotWidth = max(60, size.width - left - right)
        var canvas = SVGCanvas(size: size)
        let top = canvas.title(title, x: size.width / 2, width: size.width - 16)
        let legendHeight = series.count > 1 || hasZeros ? legend.height(width: plotWidth + left - 8) : 0
        let bottom = 11 + SVGCanvas.labelFont + 6 + legendHeight + (notes.isEmpty ? 0 : 10 * Double(notes.count)) + 4
        let plotHeight = max(40, size.height - top - bottom)
        let floorGap = hasZeros ? 11.0 : 0   // room under the log axis for the "= 0" line
        let axisHeight = plotHeight - floorGap
        let floorY = top + plotHeight - 4

        func px(_ x: Double) -> Double {
            let span = xTicks.high - xTicks.low
            return left + (x - xTicks.low) / span * plotWidth
        }
        func py(_ y: Double) -> Double {
            if y == -.infinity { return floorY }
            return top + axisHeight - (y - yTicks.low) / (yTicks.high - yTicks.low) * axisHeight
        }

        // Grid and ticks.
        for tick in xTicks.values {
            let x = px(tick.value)
            canvas.line(x, top, x, top + plotHeight, stroke: "#ebebeb", width: 0.5)
            canvas.line(x, top + plotHeight, x, top + plotHeight + 3, stroke: "#333333", width: 0.75)
            canvas.text(tick.label, x: x, y: top + plotHeight + 11, anchor: .middle, className: "tick-x")
        }
        for tick in yTicks.values {
            let y = py(tick.value)
            canvas.line(left, y, left + plotWidth, y, stroke: "#ebebeb", width: 0.5)
            canvas.line(left - 3, y, left, y, stroke: "#333333", width: 0.75)
            canvas.text(tick.label, x: left - 5, y: y + 2.6, anchor: .end, className: "tick-y")
        }
        for value in yTicks.minor {
            let y = py(value)
            canvas.line(left - 1.8, y, left, y, stroke: "#333333", width: 0.5, className: "minor-tick")
        }
        if hasZeros {
            canvas.open("zero-floor", name: "= 0")
            canvas.line(left, floorY, left + plotWidth, floorY, stroke: LinePlot.floorColour, width: 0.75, dash: "1,1.5")
            canvas.text("= 0", x: left - 5, y: floorY + 2.6, anchor: .end, className: "tick-y")
            canvas.close()
            // A broken-axis mark between the log axis and the floor.
            let breakY = top + axisHeight + floorGap / 2 - 2
            canvas.line(left - 3, breakY + 1.5, left + 3, breakY - 1.5, stroke: "#333333", width: 0.75)
            canvas.line(left - 3, breakY + 3.5, left + 3, breakY + 0.5, stroke: "#333333", width: 0.75)
        }
        canvas.rectangle(left, top, plotWidth, plotHeight, stroke: "#333333", className: "frame")
        // Axis labels.
        canvas.text(xLabel, x: left + plotWidth / 2, y: top + plotHeight + 11 + SVGCanvas.labelFont + 3, anchor: .middle,
                    size: SVGCanvas.labelFont, className: "label-x")
        let yMiddle = top + axisHeight / 2
        canvas.text(yLabel, x: 4 + SVGCanvas.labelFont, y: yMiddle, anchor: .middle,
                    size: SVGCanvas.labelFont, rotate: -90, className: "label-y")

        if all.isEmpty {
            canvas.text("no data", x: left + plotWidth / 2, y: top + plotHeight / 2, anchor: .middle, colour: "#777777")
        }

        // Bands first, so every line is drawn over every band.
        for (index, band) in bands.enumerated() where band.count >= 2 {
            let (colour, _) = SVGCanvas.style(index)
            canvas.open("band", name: series[index].name)
            let upper = band.map { (px($0.x), py($0.high)) }
            let lower = band.reversed().map { (px($0.x), py($0.low)) }
            canvas.polygon(upper + lower, fill: colour, opacity: 0.18)
            canvas.close()
        }
        for (index, points) in drawable.enumerated() {
            let (colour, dash) = SVGCanvas.style(index)
            var segments: [[(x: Double, y: Double)]] = [[]]
            for point in points {
                if let point { segments[segments.count - 1].append(point) } else if !segments.last!.isEmpty { segments.append([]) }
            }
            let drawn = points.compactMap { $0 }
            canvas.open("series", name: series[index].name)
            for segment in segments where segment.count >= 2 {
                canvas.polyline(segment.map { (px($0.x), py($0.y)) }, stroke: colour, width: 1.5, dash: dash)
            }
            // Markers on short series, and always for isolated points (a line of one point is invisible).
            for segment in segments where drawn.count <= 40 || segment.count == 1 {
                for point in segment {
                    canvas.marker(px(point.x), py(point.y), shape: index, radius: 1.8, fill: colour)
                }
            }
            canvas.close()
        }

        if legendHeight > 0 {
            legend.draw(on: &canvas, x: 8, y: top + plotHeight + 11 + SVGCanvas.labelFont + 6 + Legend.rowHeight * 0.6,
                        width: plotWidth + left - 8)
        }
        for (i, note) in notes.enumerated() {
            canvas.text(note, x: 8, y: size.height - 4 - Double(notes.count - 1 - i) * 10, size: 7, colour: "#666666",
                        className: "note")
        }
        return canvas.document()
    }

    public func write(to url: URL) throws {
        try AtomicFile.write(svg(), to: url)
    }
}
