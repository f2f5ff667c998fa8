import EqxData
import Foundation

/// What one unit contributes to its run: the rows its reports added, the plots it drew, the JSON of its
/// trainings and merges, and its statement timings. A unit writes only this file (atomically), so units
/// running at once on different machines never touch each other's results; collecting replays them in
/// program order.
public struct UnitResults: Codable {
    public var runID: String
    public var unit: Int
    public var label: String
    struct Row: Codable {
        var step: Int
        var table: String
        var columns: [String]
        var values: [ExactJSON]
    }
    struct Plot: Codable {
        var step: Int
        var name: String
        var plot: ExactJSON
    }
    var rows: [Row] = []
    var plots: [Plot] = []
    var trainings: [String: ExactJSON] = [:]
    var merges: [String: ExactJSON] = [:]
    var timings: [String] = []
    var seconds: [Double] = []

    init(runID: String, unit: RunUnit) {
        self.runID = runID; self.unit = unit.index; self.label = unit.label
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }

    /// Nil when the file is missing; an error when it is not a unit's results.
    public static func read(_ url: URL) throws -> UnitResults? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
        guard size <= 1 << 30 else { throw RuntimeError("\(url.path) is \(size) bytes, more than a unit's results can be", exitCode: 65) }
        let data = try Data(contentsOf: url)
        do {
            return try JSONDecoder().decode(UnitResults.self, from: data)
        } catch {
            throw RuntimeError("\(url.path) is not a unit's results (\(error))", exitCode: 65)
        }
    }
}

/// Results collected from units, added to what the collecting executor writes (`results.json`).
struct CollectedResults {
    var trainings: [String: JSONValue] = [:]
    var merges: [String: JSONValue] = [:]
}
