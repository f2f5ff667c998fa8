import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import EqxData

/// Golden files of figure structure (series, bands, ticks, legend text) and the layout rules behind them.
final class FigureTests: XCTestCase {
    /// Attributes of every element named `name` in document order.
    final class Elements: NSObject, XMLParserDelegate {
        let name: String
        var found: [[String: String]] = []
        init(_ name: String) { self.name = name }
        func parser(_ parser: XMLParser, didStartElement n: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if n == name { found.append(attributes) }
        }
    }

    func elements(_ name: String, in svg: String) -> [[String: String]] {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Elements(name)
        parser.delegate = collector
        XCTAssertTrue(parser.parse())
        return collector.found
    }

    func points(_ polyline: [String: String]) -> [(x: Double, y: Double)] {
        (polyline["points"] ?? "").split(separator: " ").map {
            let p = $0.split(separator: ",").map { Double($0)! }
            return (p[0], p[1])
        }
    }

    func frame(_ svg: String) -> (x: Double, y: Double, width: Double, height: Double) {
        let f = elements("rect", in: svg).first { $0["class"] == "frame" }!
        return (Double(f["x"]!)!, Double(f["y"]!)!, Double(f["width"]!)!, Double(f["height"]!)!)
    }

    // MARK: Golden structure

    func testRepetitionsAsMedianLineAndBand() throws {
        let alphas = [0, 0.25, 0.5, 0.75, 1.0]
        let selfMedian = [0.1, 0.2, 0.3, 0.2, 0.1], pairMedian = [0.1, 0.6, 0.9, 0.5, 0.12]
        let plot = LinePlot(title: "nominal CNN: merged with its mirror image vs with another net", xLabel: "interpolation α",
                            yLabel: "loss", series: [
                                .init(name: "plain_self, test", points: zip(alphas, selfMedian).map { ($0, $1) },
                                      band: zip(alphas, selfMedian).map { ($0, $1 - 0.05, $1 + 0.05) }),
                                .init(name: "plain_pair, test", points: zip(alphas, pairMedian).map { ($0, $1) },
                                      band: zip(alphas, pairMedian).map { ($0, $1 - 0.1, $1 + 0.2) }),
                            ], caption: "median line, min–max band over 3 repetitions")
        let s = SVGStructure.of(plot.svg())
        XCTAssertTrue(s.wellFormed)
        try assertGolden(s.summary, "median_band.txt")
    }

    func testStripChartOneDotPerNet() throws {
        var columns: [StripPlot.Column] = []
        for (g, group) in ["plain", "aug", "inv", "gcnn"].enumerated() {
            columns.append(.init(group: group, series: "self", values: [0.01, 0.02, 0.015].map { $0 * Double(g + 1) }))
            columns.append(.init(group: group, series: "pair", values: [0.3, 0.25, 0.35].map { $0 / Double(g + 1) }))
        }
        let svg = StripPlot(title: "loss barrier per model type", yLabel: "loss barrier", columns: columns,
                            caption: "one dot per repetition").svg()
        let s = SVGStructure.of(svg)
        XCTAssertTrue(s.wellFormed)
        try assertGolden(s.summary, "strip.txt")
        // Equal values stay visible: they are spread sideways.
        let same = StripPlot(title: "", yLabel: "v", columns: [.init(group: "g", series: "", values: [1, 1, 1])]).svg()
        let dots = elements("circle", in: same)
        XCTAssertEqual(Set(dots.map { $0["cx"]! }).count, 3)
    }

    func testLogAxisDrawsExactZerosOnAMarkedFloor() throws {
        let steps = (0...10).map { Double($0 * 66) }
        let plot = LinePlot(title: "distance to E", xLabel: "training step", yLabel: "‖θ − Π_E θ‖ / ‖θ‖", series: [
            .init(name: "nominal", points: steps.map { ($0, 0.2 + 0.01 * $0 / 66) }),
            .init(name: "augmented", points: steps.map { ($0, 1e-6 * (1 + $0 / 66)) }),
            .init(name: "equi", points: steps.map { ($0, 0) }),
        ], logY: true)
        let svg = plot.svg()
        let s = SVGStructure.of(svg)
        XCTAssertTrue(s.wellFormed)
        try assertGolden(s.summary, "log_zero_floor.txt")
        XCTAssertTrue(s.lines.contains("legend \"= 0 (exactly zero)\""))
        // The equivariant line lies on the floor line, inside the frame.
        let floorY = Double(elements("line", in: svg).first { $0["stroke-dasharray"] == "1,1.5" && $0["x2"] != nil }!["y1"]!)!
        let lines = elements("polyline", in: svg)
        let f = frame(svg)
        XCTAssertTrue(points(lines[2]).allSatisfy { $0.y == floorY })
        XCTAssertLessThan(floorY, f.y + f.height)
        // Decades 1e-6 … 0.1 and minor ticks between them.
        let ticks = s.lines.filter { $0.hasPrefix("tick-y") }
        for t in ["1e-6", "1e-5", "1e-4", "0.001", "0.01", "0.1"] { XCTAssertTrue(ticks.contains("tick-y \"\(t)\""), "\(ticks)") }
        XCTAssertTrue(s.lines.contains { $0.hasPrefix("minor-ticks ") })
    }

    func testNarrowLogAxisLabelsMoreThanDecades() throws {
        let plot = LinePlot(title: "", xLabel: "step", yLabel: "d", series: [.init(name: "a", points: [(0, 0.2), (1, 0.25), (2, 0.3)])],
                            logY: true)
        let s = SVGStructure.of(plot.svg())
        let labels = s.lines.filter { $0.hasPrefix("tick-y") }
        XCTAssertGreaterThanOrEqual(labels.count, 3, "\(labels)")
        XCTAssertTrue(labels.contains("tick-y \"0.20\"") && labels.contains("tick-y \"0.30\""), "\(labels)")
        try assertGolden(s.summary, "log_narrow.txt")
    }

    // MARK: Layout rules

    func testXAxisEndsAtTheData() {
        let plot = LinePlot(title: "t", xLabel: "step", yLabel: "loss", series: [("loss", (0...660).map { (Double($0), 1 / Double($0 + 1)) })])
        let svg = plot.svg()
        let s = SVGStructure.of(svg)
        let xTicks = s.lines.filter { $0.hasPrefix("tick-x") }
        XCTAssertEqual(xTicks.last, "tick-x \"600\"")
        XCTAssertFalse(xTicks.contains("tick-x \"800\""))
        let line = points(elements("polyline", in: svg)[0])
        let f = frame(svg)
        XCTAssertEqual(line.first!.x, f.x, accuracy: 0.01)
        XCTAssertEqual(line.last!.x, f.x + f.width, accuracy: 0.01)
    }

    func testLinesStayInsideTheFrame() {
        let plot = LinePlot(title: "t", xLabel: "step", yLabel: "accuracy",
                            series: [("batch", [(0, 0.5), (1, 1.0), (2, 1.0)]), ("test", [(0, 0.4), (2, 0.9)])])
        let svg = plot.svg()
        let f = frame(svg)
        for line in elements("polyline", in: svg) {
            for p in points(line) {
                XCTAssertGreaterThan(p.y, f.y + 1, "a line on the frame's top edge")
                XCTAssertLessThan(p.y, f.y + f.height - 1)
            }
        }
    }

    func testPrintedSizeIsTwoColumnPaper() {
        let column = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [("a", [(0, 0), (1, 1)])]).svg()
        let svg = elements("svg", in: column)[0]
        XCTAssertEqual(svg["width"], "252pt")
        XCTAssertEqual(svg["height"], "180pt")
        XCTAssertEqual(svg["viewBox"], "0 0 252 180")
        let page = StripPlot(title: "t", yLabel: "y", columns: [.init(group: "g", series: "", values: [1])], size: .page).svg()
        XCTAssertEqual(elements("svg", in: page)[0]["width"], "504pt")
    }

    func testPaletteIsOkabeIto() {
        XCTAssertEqual(Array(SVGCanvas.colours.prefix(3)), ["#0072B2", "#D55E00", "#009E73"])
    }

    func testMarkupEscaping() {
        XCTAssertEqual(Markup.escape("a<b & \"c\" 'd'>\u{1}\n"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;  ")
        XCTAssertEqual(Markup.escape("x\ny", keepingLineBreaks: true), "x\ny")
    }

    func testLongTitlesWrapInsideTheFigure() {
        let title = "loss barrier: merged with its mirror image (self) vs with another net (pair)"
        let svg = StripPlot(title: title, yLabel: "b", columns: [.init(group: "g", series: "", values: [1])]).svg()
        let lines = SVGStructure.of(svg).lines.filter { $0.hasPrefix("title ") }
        XCTAssertEqual(lines.count, 2, "\(lines)")
        for line in lines { XCTAssertLessThanOrEqual(SVGCanvas.textWidth(line, size: SVGCanvas.titleFont), 252) }
    }
}
