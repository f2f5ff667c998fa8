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

extension FigureBuilder.Contribution {
    var json: JSONValue {
        switch self {
        case .curves(let curves):
            return .object(["curves": .array(curves.map { c in
                .object(["panel": .int(c.panel.rawValue), "series": .string(c.series),
                         "points": .array(c.points.map { .array([.double($0.x), .double($0.y)]) })])
            })])
        case .scalars(let scalars):
            return .object(["scalars": .array(scalars.map { s in
                .object(["group": .string(s.group), "series": .string(s.series), "value": .double(s.value)])
            })])
        }
    }

    init?(_ json: JSONValue) {
        guard case .object(let o) = json else { return nil }
        if case .array(let items)? = o["curves"] {
            var curves: [FigureBuilder.Curve] = []
            for item in items {
                guard case .object(let c) = item, case .int(let raw)? = c["panel"], let panel = FigureBuilder.Panel(rawValue: raw),
                      case .string(let series)? = c["series"], case .array(let ps)? = c["points"] else { return nil }
                var points: [(x: Double, y: Double)] = []
                for p in ps {
                    guard case .array(let xy) = p, xy.count == 2, case .double(let x) = xy[0], case .double(let y) = xy[1] else { return nil }
                    points.append((x, y))
                }
                curves.append(.init(panel: panel, series: series, points: points))
            }
            self = .curves(curves)
        } else if case .array(let items)? = o["scalars"] {
            var scalars: [FigureBuilder.Scalar] = []
            for item in items {
                guard case .object(let s) = item, case .string(let group)? = s["group"], case .string(let series)? = s["series"],
                      case .double(let value)? = s["value"] else { return nil }
                scalars.append(.init(group: group, series: series, value: value))
            }
            self = .scalars(scalars)
        } else {
            return nil
        }
    }
}
