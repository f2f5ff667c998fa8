import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// The structure of an SVG figure as lines of text, read back from the `class` attributes the renderer puts
/// on everything that carries meaning: title, ticks, series with their number of points, bands, strips of
/// dots, the zero floor, legend entries and notes. Golden files hold this text, not coordinates.
final class SVGStructure: NSObject, XMLParserDelegate {
    private(set) var lines: [String] = []
    private var groups: [(className: String, name: String, polylines: Int, points: Int, markers: Int, medians: Int)] = []
    private var textClass: String?
    private var text = ""
    private var minorTicks = 0
    private(set) var wellFormed = false

    static func of(_ svg: String) -> SVGStructure {
        let s = SVGStructure()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = s
        s.wellFormed = parser.parse()
        if s.minorTicks > 0 { s.lines.append("minor-ticks \(s.minorTicks)") }
        return s
    }

    var summary: String { lines.joined(separator: "\n") + "\n" }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let className = attributes["class"]
        switch name {
        case "g":
            groups.append((className ?? "", attributes["data-name"] ?? "", 0, 0, 0, 0))
        case "polyline":
            if !groups.isEmpty {
                groups[groups.count - 1].polylines += 1
                groups[groups.count - 1].points += (attributes["points"] ?? "").split(separator: " ").count
            }
        case "polygon":
            if !groups.isEmpty, groups.last!.className == "band" {
                groups[groups.count - 1].points += (attributes["points"] ?? "").split(separator: " ").count
            } else if !groups.isEmpty { groups[groups.count - 1].markers += 1 }
        case "circle", "rect":
            if className == "frame" { lines.append("frame") } else if !groups.isEmpty { groups[groups.count - 1].markers += 1 }
        case "line":
            if className == "minor-tick" { minorTicks += 1 }
            if className == "median", !groups.isEmpty { groups[groups.count - 1].medians += 1 }
        case "text":
            textClass = className
            text = ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "g":
            let g = groups.removeLast()
            switch g.className {
            case "series": lines.append("series \"\(g.name)\" lines=\(g.polylines) points=\(g.points) markers=\(g.markers)")
            case "band": lines.append("band \"\(g.name)\" outline=\(g.points)")
            case "strip": lines.append("strip \"\(g.name)\" dots=\(g.markers) median=\(g.medians)")
            case "legend": lines.append("legend \"\(g.name)\"")
            case "zero-floor": lines.append("zero-floor \"\(g.name)\"")
            default: break
            }
        case "text":
            if let c = textClass, groups.last?.className != "legend" {
                lines.append("\(c) \"\(text)\"")
            }
            textClass = nil
        default: break
        }
    }
}

/// Compares `actual` with the golden file `name` next to this source; `EQX_UPDATE_GOLDEN=1` rewrites it.
func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["EQX_UPDATE_GOLDEN"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    XCTAssertEqual(actual, expected, "figure structure differs from \(name) (EQX_UPDATE_GOLDEN=1 rewrites it after review)",
                   file: file, line: line)
}
