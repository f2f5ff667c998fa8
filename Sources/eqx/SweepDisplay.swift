import EqxCluster
import Foundation

/// How sweeps are shown: the live line of `--wait` and `--jobs`, and `eqx status`.
enum SweepDisplay {
    /// "3 pending · 2 running · 5 done · 0 failed · slowest: unit 4 (#3) 37% train a#3 · ETA 1m20s"; the key
    /// changes only with the counts.
    static func line(_ s: SweepStatus) -> (text: String, key: String) {
        let failed = s.count(.failed) + s.count(.killed) + s.count(.lost) + s.count(.cancelled)
        let counts = "units: \(s.count(.pending) + s.count(.waiting)) pending · \(s.count(.running)) running · \(s.count(.done)) done · \(failed) failed"
        var text = counts
        if let u = s.slowest {
            text += String(format: " · slowest: unit %d (%@) %.0f%%", u.index, u.label, 100 * (u.progress ?? 0))
            if let st = u.statement, !st.isEmpty { text += " \(st)" }
        }
        if s.collecting && s.settled { text += " · collecting" }
        if let eta = s.secondsRemaining(), !s.settled { text += " · ETA \(duration(eta))" }
        return (text, counts + (s.collecting ? "c" : ""))
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "--" }
        if s < 60 { return String(format: "%.0fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, Int(s) % 3600 / 60)
    }

    static func ranges(_ units: [Int]) -> String { indexRanges(units, dash: "–", separator: ", ") }

    /// `eqx status`: one line per unit; for a unit that did not finish, why, its log and the log's last lines.
    static func report(_ s: SweepStatus) -> String {
        var out = "run \(s.plan.runID) (\(s.plan.backend.rawValue), \(s.plan.threads) thread\(s.plan.threads == 1 ? "" : "s") per unit)\n"
        let width = max(5, s.units.map(\.label.count).max() ?? 5)
        for u in s.units {
            var line = "  unit \(String(u.index).padding(toLength: 3, withPad: " ", startingAt: 0)) "
                + u.label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + u.state.rawValue
            if u.state == .running, let p = u.progress {
                line += String(format: " %.0f%%", 100 * p) + (u.statement.map { " \($0)" } ?? "")
            }
            if let j = u.job { line += "  job \(j)" }
            if u.state == .done, let a = u.started, let b = u.finished { line += "  " + duration(b.timeIntervalSince(a)) }
            out += line + "\n"
            if let d = u.detail, u.state != .done, u.state != .running { out += "      \(d)\n" }
            if [.failed, .killed, .lost, .cancelled].contains(u.state) {
                if let log = u.log { out += "      log: \(log.path)\n" }
                for l in u.logTail { out += "      | \(l)\n" }
            }
        }
        if let c = s.collect {
            out += c.complete ? "collected: complete\n"
                              : "collected: INCOMPLETE (missing unit\(c.missing.count == 1 ? "" : "s") \(ranges(c.missing)))\n"
        } else if s.collecting {
            out += "collecting job queued or running\n"
        } else {
            out += "not collected yet\n"
        }
        return out
    }
}
