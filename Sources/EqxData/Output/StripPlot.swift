import Foundation

/// A strip chart: for each group on the x axis one column of dots per series, one dot per value (a net,
/// a repetition), with a short bar at the median of each column. For example the loss barrier per model
/// type, self-merge against two-network merge, one dot per trained net (Bökman & Kahl's figure).
///
/// Dots with the same value are spread sideways so that every one stays visible; NaN and infinite values
/// are skipped and counted in a note.
public struct StripPlot {
    public struct Column {
        public var group: String
        /// The series inside the group (colour, marker and legend entry); empty when a plot has one series.
        public var series: String
        public var values: [Double]

        public init(group: String, series: String, values: [Double]) {
            self.group = group
            self.series = series
            self.values = values
        }
    }

    public var title: String
    public var yLabel: String
    public var columns: [Column]
    public var size: FigureSize
    public var caption: String?

    public init(title: String, yLabel: String, columns: [Column], size: FigureSize = .column, caption: String? = nil) {
        self.title = title
        self.yLabel = yLabel
        self.columns = columns
        self.size = size
        self.caption = caption
    }

    public func svg() -> String {
        var groups: [String] = [], seriesNames: [String] = []
        for c in columns {
            if !groups.contains(c.group) { groups.append(c.group) }
            if !seriesNames.contains(c.series) { seriesNames.append(c.series) }
        }
        let skipped = columns.reduce(0) { $0 + $1.values.filter { !$0.isFinite }.count }
        let values = columns.flatMap { $0.values.filter(\.isFinite) }
        // Include zero when the data come near it, so a barrier's sign is read off the axis.
        var range = values
        if let lo = values.min(), let hi = values.max(), lo <= 0 || lo < (hi - lo) * 0.5 { range.append(0) }
        let yTicks = Ticks.linear(range, padding: 0.06, maximum: 6)

        let showLegend = seriesNames.count > 1 || seriesNames.first.map { !$0.isEmpty } == true
        let legend = Legend(entries: seriesNames.enumerated().map { i, name in
            Legend.Entry(text: name, sample: .marker(colour: SVGCanvas.style(i).colour, shape: i))
        })
        var notes: [String] = []
        if let caption { notes.append(caption) }
        if skipped > 0 { notes.append("\(skipped) NaN or infinite value\(skipped == 1 ? "" : "s") skipped") }

        let yLabelWidth = yTicks.values.map { SVGCanvas.textWidth($0.label) }.max() ?? 10
        let left = 4 + SVGCanvas.labelFont + 5 + yLabelWidth + 4
        let right = 10.0
        let plotWidth = max(60, size.width - left - right)
        var canvas = SVGCanvas(size: size)
        let top = canvas.title(title, x: size.width / 2, width: size.width - 16)
        let groupWidth = plotWidth / Double(max(1, groups.count))
        // Group names turn when they do not fit their slot.
        let longest = groups.map { SVGCanvas.textWidth($0, size: SVGCanvas.labelFont) }.max() ?? 0
        let rotated = longest > groupWidth - 4
        let groupLabelHeight = rotated ? min(70, longest * 0.6 + 6) : 12
        let legendHeight = showLegend ? legend.height(width: plotWidth + left - 8) : 0
        let bottom = groupLabelHeight + 4 + legendHeight + (notes.isEmpty ? 0 : 10 * Double(notes.count)) + 4
        let plotHeight = max(40, size.height - top - bottom)
        func py(_ y: Double) -> Double { top + plotHeight - (y - yTicks.low) / (yTicks.high - yTicks.low) * plotHeight }

        for tick in yTicks.values {
            let y = py(tick.value)
            canvas.line(left, y, left + plotWidth, y, stroke: tick.value == 0 ? "#bbbbbb" : "#ebebeb", width: 0.5)
            canvas.line(left - 3, y, left, y, stroke: "#333333", width: 0.75)
            canvas.text(tick.label, x: left - 5, y: y + 2.6, anchor: .end, className: "tick-y")
        }
        canvas.rectangle(left, top, plotWidth, plotHeight, stroke: "#333333", className: "frame")
        canvas.text(yLabel, x: 4 + SVGCanvas.labelFont, y: top + plotHeight / 2, anchor: .middle, size: SVGCanvas.labelFont,
                    rotate: -90, className: "label-y")
        if values.isEmpty {
            canvas.text("no data", x: left + plotWidth / 2, y: top + plotHeight / 2, anchor: .middle, colour: "#777777")
        }

        let slots = Double(seriesNames.count)
        let slotWidth = groupWidth * 0.8 / slots
        for (g, group) in groups.enumerated() {
            let groupLeft = left + Double(g) * groupWidth
            let centre = groupLeft + groupWidth / 2
            if g > 0 { canvas.line(groupLeft, top, groupLeft, top + plotHeight, stroke: "#ebebeb", width: 0.5) }
            if rotated {
                canvas.text(group, x: centre + 2, y: top + plotHeight + 9, anchor: .end, size: SVGCanvas.labelFont, rotate: -35,
                            className: "group")
            } else {
                canvas.text(group, x: centre, y: top + plotHeight + 11, anchor: .middle, size: SVGCanvas.labelFont, className: "group")
            }
            for (s, name) in seriesNames.enumerated() {
                guard let column = columns.first(where: { $0.group == group && $0.series == name }) else { continue }
                let colour = SVGCanvas.style(s).colour
                let slotCentre = groupLeft + groupWidth * 0.1 + (Double(s) + 0.5) * slotWidth
                let finite = column.values.filter(\.isFinite)
                canvas.open("strip", name: name.isEmpty ? group : "\(group) \(name)")
                if !finite.isEmpty {
                    let sorted = finite.sorted()
                    let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
                    let half = min(slotWidth * 0.42, 9)
                    canvas.line(slotCentre - half, py(median), slotCentre + half, py(median), stroke: colour, width: 1.2,
                                className: "median")
                }
                // Dots closer than a marker are spread sideways, in the order of the values.
                let spread = min(slotWidth * 0.7, 14)
                var placed: [(x: Double, y: Double)] = []
                for v in finite {
                    let y = py(v)
                    let neighbours = placed.filter { abs($0.y - y) < 3 }.count
                    let offset = neighbours == 0 ? 0 : Double((neighbours + 1) / 2) * 3.2 * (neighbours % 2 == 1 ? 1 : -1)
                    let x = slotCentre + max(-spread / 2, min(spread / 2, offset))
                    placed.append((x, y))
                    canvas.marker(x, y, shape: s, radius: 2.1, fill: colour)
                }
                canvas.close()
            }
        }
        if showLegend {
            legend.draw(on: &canvas, x: 8, y: top + plotHeight + groupLabelHeight + 4 + Legend.rowHeight * 0.6, width: plotWidth + left - 8)
        }
        for (i, note) in notes.enumerated() {
            canvas.text(note, x: 8, y: size.height - 4 - Double(notes.count - 1 - i) * 10, size: 7, colour: "#666666", className: "note")
        }
        return canvas.document()
    }

    public func write(to url: URL) throws {
        try AtomicFile.write(svg(), to: url)
    }
}
