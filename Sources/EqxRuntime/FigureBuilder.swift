import EqxData
import EqxIR
import Foundation

/// Collects what `plot` statements draw, repetition by repetition, and turns each statement into its
/// figures: curves of one repetition as lines, curves of several as the median line with a min–max band,
/// scalars as a strip chart with one dot per repetition.
struct FigureBuilder {
    /// The panels a curve plot writes, each its own file.
    enum Panel: Int, CaseIterable {
        case loss, accuracy, distance
    }

    struct Curve {
        var panel: Panel
        var series: String
        var points: [(x: Double, y: Double)]
    }

    struct Scalar {
        var group: String
        var series: String
        var value: Double
    }

    /// What one execution of a plot statement adds: curves, or the scalars of a strip chart.
    enum Contribution {
        case curves([Curve])
        case scalars([Scalar])
    }

    mutating func add(_ spec: PlotSpec, _ contribution: Contribution) {
        switch contribution {
        case .curves(let c): add(spec, curves: c)
        case .scalars(let s): add(spec, scalars: s)
        }
    }

    private struct Entry {
        var spec: PlotSpec
        var repetitions: [String?] = []
        var curves: [Panel: [(series: String, runs: [[(x: Double, y: Double)]])]] = [:]
        var scalars: [(group: String, series: String, values: [Double])] = []
    }

    private var entries: [String: Entry] = [:]
    private(set) var order: [String] = []

    var isEmpty: Bool { order.isEmpty }

    mutating func add(_ spec: PlotSpec, curves: [Curve]) {
        var entry = start(spec)
        for c in curves {
            var list = entry.curves[c.panel] ?? []
            if let i = list.firstIndex(where: { $0.series == c.series }) { list[i].runs.append(c.points) } else { list.append((c.series, [c.points])) }
            entry.curves[c.panel] = list
        }
        entries[spec.name] = entry
    }

    mutating func add(_ spec: PlotSpec, scalars: [Scalar]) {
        var entry = start(spec)
        for s in scalars {
            if let i = entry.scalars.firstIndex(where: { $0.group == s.group && $0.series == s.series }) {
                entry.scalars[i].values.append(s.value)
            } else {
                entry.scalars.append((s.group, s.series, [s.value]))
            }
        }
        entries[spec.name] = entry
    }

    private mutating func start(_ spec: PlotSpec) -> Entry {
        if entries[spec.name] == nil { order.append(spec.name) }
        var entry = entries[spec.name] ?? Entry(spec: spec)
        entry.repetitions.append(spec.repetition)
        return entry
    }

    /// Every figure with its file name (without extension), in the order of the plot statements.
    func figures() -> [(name: String, figure: Figure)] {
        var out: [(String, Figure)] = []
        for name in order {
            let e = entries[name]!
            let size = FigureSize(width: e.spec.width, height: e.spec.height)
            let repeated = e.repetitions.count > 1
            let caption = repeated ? "\(e.repetitions.count) repetitions" : nil
            switch e.spec.axis {
            case .groups:
                let columns = e.scalars.map { StripPlot.Column(group: $0.group, series: $0.series, values: $0.values) }
                let dots = repeated ? "one dot per repetition, bar at the median; \(caption!)" : nil
                out.append((name, .strip(StripPlot(title: e.spec.title, yLabel: FigureBuilder.quantity(e.spec.items),
                                                   columns: columns, size: size, caption: dots))))
            case .alpha, .step:
                let x = e.spec.axis == .alpha ? "interpolation α" : "training step"
                let band = caption.map { "median line, min–max band over \($0)" }
                for panel in Panel.allCases {
                    guard let list = e.curves[panel], !list.isEmpty else { continue }
                    let series = list.map { FigureBuilder.aggregate($0.series, $0.runs) }
                    let fileName: String
                    let plot: LinePlot
                    switch panel {
                    case .loss:
                        fileName = name
                        plot = LinePlot(title: e.spec.title, xLabel: x, yLabel: "loss", series: series, size: size, caption: band)
                    case .accuracy:
                        fileName = name + "_accuracy"
                        plot = LinePlot(title: e.spec.title + " (accuracy)", xLabel: x, yLabel: "accuracy", series: series,
                                        size: size, caption: band)
                    case .distance:
                        fileName = name + (e.curves[.loss]?.isEmpty == false ? "_distance" : "")
                        plot = LinePlot(title: e.spec.title, xLabel: x, yLabel: "‖θ − Π_E θ‖ / ‖θ‖", series: series, logY: true,
                                        size: size, caption: band)
                    }
                    out.append((fileName, .line(plot)))
                }
            }
        }
        return out
    }

    /// One repetition: its line. Several: the median at every x any of them has, and the min–max band.
    static func aggregate(_ name: String, _ runs: [[(x: Double, y: Double)]]) -> LinePlot.Series {
        guard runs.count > 1 else { return LinePlot.Series(name: name, points: runs.first ?? []) }
        var byX: [Double: [Double]] = [:]
        for run in runs { for p in run where p.x.isFinite { byX[p.x, default: []].append(p.y) } }
        var points: [(x: Double, y: Double)] = [], band: [(x: Double, low: Double, high: Double)] = []
        for x in byX.keys.sorted() {
            let finite = byX[x]!.filter(\.isFinite).sorted()
            guard !finite.isEmpty else { points.append((x, .nan)); continue }
            points.append((x, median(finite)))
            band.append((x, finite.first!, finite.last!))
        }
        return LinePlot.Series(name: name, points: points, band: band)
    }

    /// The median of sorted values.
    static func median(_ sorted: [Double]) -> Double {
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// The y label of a strip chart: what its items measure.
    static func quantity(_ items: [PlotItemSpec]) -> String {
        var names: [String] = []
        for item in items {
            let name: String
            switch item.measurement {
            case .mergeBarrier(_, .barrier, _): name = "loss barrier"
            case .mergeBarrier(_, .accuracyBarrier, _): name = "accuracy barrier"
            case .mergeBarrier(_, .midpointBarrier, _): name = "loss barrier at α = ½"
            case .mergeBarrier(_, .midpointAccuracyBarrier, _): name = "accuracy barrier at α = ½"
            case .mergeBarrier(_, .lossChange, _): name = "loss change"
            case .mergeBarrier(_, .accuracyChange, _): name = "accuracy change"
            case .mergeBarrier(_, .curve, _), .mergeBarrier(_, .permutations, _), .number, .text: name = "value"
            case .accuracy, .underEachElement(_, _, _, _, accuracy: true): name = "accuracy"
            case .loss, .underEachElement: name = "loss"
            case .invariance: name = "relative output change"
            case .equivariance: name = "equivariance error"
            case .distanceToE: name = "‖θ − Π_E θ‖ / ‖θ‖"
            case .gradientIdentity: name = "‖∇R_aug − Π_E ∇R‖"
            case .parameterCount: name = "parameters"
            case .trainQuantity(_, .finalLoss): name = "final batch loss"
            case .trainQuantity(_, .finalAccuracy): name = "final accuracy"
            case .trainQuantity(_, .steps): name = "steps"
            case .trainQuantity(_, .distance): name = "‖θ − Π_E θ‖ / ‖θ‖"
            case .trainQuantity(_, .curve): name = "final batch loss"
            }
            if !names.contains(name) { names.append(name) }
        }
        return names.joined(separator: " / ")
    }
}
