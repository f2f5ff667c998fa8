import XCTest
@testable import EqxRuntime
import EqxIR
import EqxSyntax
import EqxData

/// The median line and min–max band of curves over repetitions, against a naive computation.
final class FigureBuilderTests: XCTestCase {
    func testMedianAndBandAgainstNaiveReference() {
        let runs: [[(x: Double, y: Double)]] = [
            [(0, 3), (0.5, 1), (1, 4)],
            [(0, 1), (0.5, 5), (1, 9)],
            [(0, 2), (0.5, 6), (1, .nan)],
            [(0, 7), (1, 2)],   // a repetition without α = 0.5
        ]
        let series = FigureBuilder.aggregate("s, test", runs)
        XCTAssertEqual(series.name, "s, test")
        for (i, x) in [0, 0.5, 1].enumerated() {
            let ys = runs.flatMap { $0.filter { $0.x == x && $0.y.isFinite }.map(\.y) }
            // Naive median: sort, then the middle one or the mean of the middle two.
            let sorted = ys.sorted()
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            XCTAssertEqual(series.points[i].x, x)
            XCTAssertEqual(series.points[i].y, median, "median at \(x)")
            XCTAssertEqual(series.band[i].low, ys.min()!)
            XCTAssertEqual(series.band[i].high, ys.max()!)
        }
        XCTAssertEqual(series.points.map(\.y), [2.5, 5, 4])
        // One repetition is its own line, without a band.
        let single = FigureBuilder.aggregate("a", [runs[0]])
        XCTAssertTrue(single.band.isEmpty)
        XCTAssertEqual(single.points.map(\.y), [3, 1, 4])
    }

    func testOneFigurePerStatementAcrossRepetitions() {
        func spec(_ rep: String) -> PlotSpec {
            PlotSpec(name: "plot_line5", title: "barriers", items: [], axis: .groups, width: 252, height: 180, repetition: rep,
                     range: SourceRange(start: 0, end: 0))
        }
        var builder = FigureBuilder()
        for r in 0..<3 {
            builder.add(spec("rep \(r)"), scalars: [.init(group: "plain", series: "self", value: Double(r)),
                                                    .init(group: "plain", series: "pair", value: Double(10 + r))])
        }
        let figures = builder.figures()
        XCTAssertEqual(figures.map(\.name), ["plot_line5"])
        guard case .strip(let strip) = figures[0].figure else { return XCTFail() }
        XCTAssertEqual(strip.columns.map(\.values), [[0, 1, 2], [10, 11, 12]])
        XCTAssertEqual(strip.caption, "one dot per repetition, bar at the median; 3 repetitions")
    }
}
