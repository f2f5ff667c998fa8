import Foundation

/// The printed size of a figure in PostScript points (1/72 in). The presets fit a two-column paper:
/// one column is about 3.5 in wide, the full text width about 7 in.
public struct FigureSize: Hashable, Sendable {
    public var width: Double
    public var height: Double

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// One column of a two-column paper (3.5 × 2.5 in).
    public static let column = FigureSize(width: 252, height: 180)
    /// The full text width of a two-column paper (7 × 2.8 in).
    public static let page = FigureSize(width: 504, height: 202)

    /// Sizes the checker accepts: a figure must hold its axes and one line of legend, and stay printable.
    public static let allowedWidths = 144.0...1440.0
    public static let allowedHeights = 108.0...1080.0
}
