import Foundation

/// A figure of a run: a line plot (curves over α or training steps) or a strip chart (a scalar per group).
public enum Figure {
    case line(LinePlot)
    case strip(StripPlot)

    public var title: String {
        switch self {
        case .line(let p): return p.title
        case .strip(let p): return p.title
        }
    }

    public func svg() -> String {
        switch self {
        case .line(let p): return p.svg()
        case .strip(let p): return p.svg()
        }
    }
}
