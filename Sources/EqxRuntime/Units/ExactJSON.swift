import EqxData
import Foundation

/// A `JSONValue` that survives a trip through a file bit for bit: doubles (NaN and infinities included)
/// are stored as their IEEE bit pattern, so collected results equal those of a single-process run.
struct ExactJSON: Codable, Equatable {
    var value: JSONValue
    init(_ value: JSONValue) { self.value = value }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode("d:" + String(d.bitPattern, radix: 16))
        case .string(let s): try c.encode("s:" + s)
        case .array(let items): try c.encode(items.map(ExactJSON.init))
        case .object(let members): try c.encode(members.mapValues(ExactJSON.init))
        }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { value = .null; return }
        if let b = try? c.decode(Bool.self) { value = .bool(b); return }
        if let i = try? c.decode(Int.self) { value = .int(i); return }
        if let s = try? c.decode(String.self) {
            if s.hasPrefix("s:") { value = .string(String(s.dropFirst(2))); return }
            if s.hasPrefix("d:"), let bits = UInt64(s.dropFirst(2), radix: 16) { value = .double(Double(bitPattern: bits)); return }
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a tagged number or string")
        }
        if let items = try? c.decode([ExactJSON].self) { value = .array(items.map(\.value)); return }
        value = .object(try c.decode([String: ExactJSON].self).mapValues(\.value))
    }
}

extension ResultTable.Value {
    init?(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array, .object: return nil
        }
    }
}

extension LinePlot {
    var json: JSONValue {
        .object(["title": .string(title), "x": .string(xLabel), "y": .string(yLabel), "log_y": .bool(logY),
                 "width": .double(width), "height": .double(height),
                 "series": .array(series.map { s in
                     .object(["name": .string(s.name), "points": .array(s.points.map { .array([.double($0.x), .double($0.y)]) })])
                 })])
    }

    init?(_ json: JSONValue) {
        guard case .object(let o) = json, case .string(let title)? = o["title"], case .string(let x)? = o["x"],
              case .string(let y)? = o["y"], case .bool(let logY)? = o["log_y"], case .double(let width)? = o["width"],
              case .double(let height)? = o["height"], case .array(let items)? = o["series"] else { return nil }
        var series: [(name: String, points: [(x: Double, y: Double)])] = []
        for item in items {
            guard case .object(let s) = item, case .string(let name)? = s["name"], case .array(let ps)? = s["points"] else { return nil }
            var points: [(x: Double, y: Double)] = []
            for p in ps {
                guard case .array(let xy) = p, xy.count == 2, case .double(let px) = xy[0], case .double(let py) = xy[1] else { return nil }
                points.append((px, py))
            }
            series.append((name, points))
        }
        self.init(title: title, xLabel: x, yLabel: y, series: series, logY: logY, width: width, height: height)
    }
}
