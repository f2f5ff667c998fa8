import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import EqxData

final class LinePlotTests: XCTestCase {
    /// Parses SVG text and collects element names and text content.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var attributes: [[String: String]] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(name)
            self.attributes.append(attributes)
            text += "|"
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            text += "|"
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
        return collector
    }

    func testWellFormedWithLegendAxesAndDistinctStyles() {
        let epochs = (0..<20).map(Double.init)
        let train: [(x: Double, y: Double)] = epochs.map { ($0, 2 / ($0 + 1)) }
        let test: [(x: Double, y: Double)] = epochs.map { ($0, 2.2 / ($0 + 1) + 0.1) }
        let plot = LinePlot(title: "Loss <train> & test", xLabel: "epoch", yLabel: "cross-entropy",
                            series: [("train", train), ("test", test), ("α = ½", [(3, 1)])])
        let svg = plot.svg()
        let xml = parse(svg)
        XCTAssertEqual(xml.elements.first, "svg")
        for label in ["train", "test", "α = ½", "epoch", "cross-entropy", "Loss <train> & test"] {
            XCTAssertTrue(xml.text.contains(label), "missing \(label)")
        }
        let lines = xml.attributes.filter { $0["stroke-width"] == "1.5" && $0["x1"] != nil }   // legend samples
        XCTAssertEqual(lines.count, 3)
        let styles = Set(lines.map { "\($0["stroke"] ?? "")/\($0["stroke-dasharray"] ?? "solid")" })
        XCTAssertEqual(styles.count, 3)
        XCTAssertEqual(xml.elements.filter { $0 == "polyline" }.count, 2)   // the single point is a marker, not a line
        // Nice tick labels on the x axis, which ends at the data (19): 0, 5, 10, 15.
        XCTAssertFalse(xml.text.contains("|20|"))
        for tick in ["|0|", "|5|", "|10|", "|15|"] { XCTAssertTrue(xml.text.contains(tick), "missing tick \(tick)") }
    }

    func testFirst28StylesAreDistinct() {
        XCTAssertEqual(Set((0..<28).map { "\(SVGCanvas.style($0))" }).count, 28)
    }

    func testNaNBreaksTheLineAndIsNoted() {
        let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y",
                            series: [("s", [(0, 1), (1, 2), (2, .nan), (3, 2), (4, 1)])])
        let xml = parse(plot.svg())
        XCTAssertEqual(xml.elements.filter { $0 == "polyline" }.count, 2)
        XCTAssertTrue(xml.text.contains("1 NaN or infinite point skipped"))
    }

    func testLogAxisSkipsNonPositiveValues() {
        let plot = LinePlot(title: "distance to E", xLabel: "step", yLabel: "‖θ − Πθ‖",
                            series: [("nominal", [(0, 0), (1, 1e-3), (2, 1e-1), (3, 10)]), ("equivariant", [(0, 1e-7), (1, -1)])],
                            logY: true)
        let xml = parse(plot.svg())
        XCTAssertTrue(xml.text.contains("1 negative point omitted from the log axis"))
        XCTAssertTrue(xml.text.contains("= 0"))   // the exact zero is drawn on the floor line
        for tick in ["|1e-6|", "|1e-4|", "|0.01|", "|1|"] { XCTAssertTrue(xml.text.contains(tick), "missing tick \(tick)") }
    }

    func testEmptyAndDegenerateInputs() {
        for series in [[], [("empty", [])], [("one", [(2.0, 5.0)])], [("flat", [(0.0, 3.0), (1.0, 3.0)])]] as [[(name: String, points: [(x: Double, y: Double)])]] {
            let xml = parse(LinePlot(title: "t", xLabel: "x", yLabel: "y", series: series).svg())
            XCTAssertEqual(xml.elements.first, "svg")
            XCTAssertFalse(xml.text.contains("nan"))
        }
        XCTAssertTrue(parse(LinePlot(title: "t", xLabel: "x", yLabel: "y", series: []).svg()).text.contains("no data"))
        XCTAssertTrue(parse(LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [("neg", [(0, -1)])], logY: true).svg())
            .text.contains("no data"))
    }

    func testNiceTicks() {
        let ticks = Ticks.linear([0.013, 0.087])
        XCTAssertEqual(ticks.values.map(\.label), ["0.02", "0.04", "0.06", "0.08"])
        XCTAssertEqual(ticks.low, 0.013)
        XCTAssertEqual(ticks.high, 0.087)
        XCTAssertEqual(Ticks.linear([-30, 170]).values.map(\.label), ["0", "50", "100", "150"])
        XCTAssertEqual(Ticks.linear([0.2, 0.3]).values.map(\.label), ["0.20", "0.22", "0.24", "0.26", "0.28", "0.30"])
    }

    func testWriteToFile() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("plots/curve.svg")
        try LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [("a", [(0, 0), (1, 1)])]).write(to: url)
        XCTAssertTrue(try String(contentsOf: url, encoding: .utf8).hasPrefix("<?xml"))
    }
}
