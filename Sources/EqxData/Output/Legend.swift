import Foundation

/// A legend laid out under the axes in rows, as many entries per row as fit the width.
struct Legend {
    enum Sample {
        case line(colour: String, dash: String, marker: Int?)
        case band(colour: String, dash: String)
        case marker(colour: String, shape: Int)
        case floor
    }
    struct Entry {
        var text: String
        var sample: Sample
    }

    var entries: [Entry]
    static let rowHeight = 10.5
    static let sampleWidth = 16.0

    /// Rows of entry indices for a legend `width` wide.
    func rows(width: Double) -> [[Int]] {
        var rows: [[Int]] = []
        var used = 0.0
        for (i, e) in entries.enumerated() {
            let w = Legend.entryWidth(e)
            if rows.isEmpty || used + w > width { rows.append([i]); used = w } else { rows[rows.count - 1].append(i); used += w }
        }
        return rows
    }

    func height(width: Double) -> Double { Double(rows(width: width).count) * Legend.rowHeight }

    static func entryWidth(_ e: Entry) -> Double { sampleWidth + 4 + SVGCanvas.textWidth(e.text) + 9 }

    func draw(on canvas: inout SVGCanvas, x: Double, y: Double, width: Double) {
        for (r, row) in rows(width: width).enumerated() {
            var cx = x
            let cy = y + Double(r) * Legend.rowHeight
            for i in row {
                let e = entries[i]
                canvas.open("legend", name: e.text)
                switch e.sample {
                case let .line(colour, dash, marker):
                    canvas.line(cx, cy, cx + Legend.sampleWidth, cy, stroke: colour, width: 1.5, dash: dash)
                    if let marker { canvas.marker(cx + Legend.sampleWidth / 2, cy, shape: marker, radius: 1.8, fill: colour) }
                case let .band(colour, dash):
                    canvas.polygon([(cx, cy - 3), (cx + Legend.sampleWidth, cy - 3), (cx + Legend.sampleWidth, cy + 3), (cx, cy + 3)],
                                   fill: colour, opacity: 0.2)
                    canvas.line(cx, cy, cx + Legend.sampleWidth, cy, stroke: colour, width: 1.5, dash: dash)
                case let .marker(colour, shape):
                    canvas.marker(cx + Legend.sampleWidth / 2, cy, shape: shape, radius: 2.4, fill: colour)
                case .floor:
                    canvas.line(cx, cy, cx + Legend.sampleWidth, cy, stroke: LinePlot.floorColour, width: 1, dash: "1,1.5")
                }
                canvas.text(e.text, x: cx + Legend.sampleWidth + 4, y: cy + 2.7)
                canvas.close()
                cx += Legend.entryWidth(e)
            }
        }
    }
}
