import Foundation

/// An axis: the range `low…high` it spans (in drawing units: log10 of the value on a log axis),
/// labelled tick positions inside it and unlabelled minor ticks.
struct Ticks {
    var low: Double
    var high: Double
    var values: [(value: Double, label: String)]
    var minor: [Double] = []

    /// An axis that ends at the data (widened by `padding` × the span on each side, so lines stay inside
    /// the frame) with "nice" ticks (1, 2 or 5 × 10^k steps, Heckbert) inside it; at most `maximum` ticks.
    /// An empty or single-valued range is widened around its value.
    static func linear(_ data: [Double], padding: Double = 0, maximum: Int = 6) -> Ticks {
        var low = data.min() ?? 0, high = data.max() ?? 1
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.5
            low -= pad
            high += pad
        } else {
            let pad = (high - low) * padding
            low -= pad
            high += pad
        }
        var values: [(Double, String)] = []
        for round in [true, false] {
            values = ticks(low, high, step: nice((high - low) / Double(max(1, maximum - 1)), round: round))
            if values.count <= maximum { break }
        }
        return Ticks(low: low, high: high, values: values)
    }

    /// Multiples of `step` in `low…high`; a narrow range that catches only one is given a finer step.
    private static func ticks(_ low: Double, _ high: Double, step initial: Double) -> [(value: Double, label: String)] {
        var step = initial
        var values: [(Double, String)] = []
        for _ in 0..<2 {
            values = []
            let decimals = max(0, -Int((log10(step)).rounded(.down)))
            var k = (low / step - 1e-9).rounded(.up)
            while k * step <= high + step * 1e-9 {
                var v = k * step
                if abs(v) < step * 1e-9 { v = 0 }
                values.append((v, label(v, decimals: decimals, step: step)))
                k += 1
            }
            // A narrow axis may catch only one tick of the step: halve it once.
            if values.count >= 2 { break }
            step = nice(step / 2.5, round: false)
        }
        return values
    }

    /// For positive data given as log10 exponents: the axis spans the data (padded by `padding` of the
    /// span), decades are labelled (every n-th when there are many) and 2…9 × 10^k are minor ticks. An
    /// axis spanning less than two decades labels 2 and 5 × 10^k as well, and less than that every minor tick.
    static func logarithmic(_ exponents: [Double], padding: Double = 0.04) -> Ticks {
        var low = exponents.min() ?? 0, high = exponents.max() ?? 1
        if high - low < 0.3 {
            let middle = (low + high) / 2
            low = middle - 0.15; high = middle + 0.15
        }
        let pad = (high - low) * padding
        low -= pad; high += pad
        let decades = Array(Int((low - 1e-9).rounded(.up))...max(Int((low - 1e-9).rounded(.up)), Int((high + 1e-9).rounded(.down))))
            .filter { Double($0) >= low - 1e-9 && Double($0) <= high + 1e-9 }
        var minor: [Double] = []
        for e in Int(low.rounded(.down))...Int(high.rounded(.up)) {
            for m in 2...9 {
                let v = Double(e) + log10(Double(m))
                if v >= low && v <= high { minor.append(v) }
            }
        }
        var labelled = Set<Double>()
        var values: [(Double, String)] = []
        let every = max(1, Int((Double(decades.count) / 6).rounded(.up)))
        // Thinned decades keep 10^0 labelled.
        for e in decades where e % every == 0 { values.append((Double(e), decadeLabel(e))) }
        labelled = Set(values.map(\.0))
        if values.count < 2 {
            let wanted: Set<Int> = values.isEmpty || minor.count <= 12 ? Set(2...9) : [2, 5]
            for v in minor {
                let e = Int(v.rounded(.down)), m = Int((pow(10, v - Double(e))).rounded())
                if wanted.contains(m) { values.append((v, mantissaLabel(m, e))) }
            }
            if values.count < 3 {
                for v in minor where !values.contains(where: { $0.0 == v }) {
                    let e = Int(v.rounded(.down)), m = Int((pow(10, v - Double(e))).rounded())
                    values.append((v, mantissaLabel(m, e)))
                }
            }
            values.sort { $0.0 < $1.0 }
            // Less than a decade: evenly spaced values read better than 2…9 × 10^k alone.
            if values.count < 3 {
                values = linear([pow(10, low), pow(10, high)], maximum: 5).values.filter { $0.value > 0 }.map { (log10($0.value), $0.label) }
            }
            labelled = Set(values.map(\.0))
        }
        return Ticks(low: low, high: high, values: values, minor: minor.filter { !labelled.contains($0) })
    }

    /// `1`, `10`, `0.001` for small exponents, `1e-7` beyond.
    static func decadeLabel(_ e: Int) -> String {
        abs(e) <= 3 ? label(pow(10, Double(e)), decimals: max(0, -e), step: pow(10, Double(e))) : "1e\(e)"
    }

    static func mantissaLabel(_ m: Int, _ e: Int) -> String {
        abs(e) <= 3 ? label(Double(m) * pow(10, Double(e)), decimals: max(0, -e), step: pow(10, Double(e))) : "\(m)e\(e)"
    }

    static func nice(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = log10(x).rounded(.down)
        let fraction = x / pow(10, exponent)
        let niceFraction: Double
        if round {
            niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * pow(10, exponent)
    }

    static func label(_ value: Double, decimals: Int, step: Double) -> String {
        if step >= 1e6 || (step < 1e-4 && value != 0) || abs(value) >= 1e7 {
            return String(format: "%.3g", value)
        }
        return String(format: "%.\(decimals)f", value)
    }
}
