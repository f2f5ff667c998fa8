import Foundation

/// Small images of one filled regular polygon — label 0 a triangle, 1 a pentagon — after
/// Nordenfors et al.'s "simpshape" task, regenerated: canvas (−1, 1)², radius uniform in
/// [0.7, 0.8], centre offset uniform in (−0.5, 0.5)², value = fraction of the pixel covered
/// (4 × 4 supersampling), background 0. Shape `[1, size, size]`.
///
/// The orientation decides which symmetry the data has: `.fixed` puts a vertex at angle 0 (as
/// the paper does), `.quarterTurns` rotates by k·90° with k uniform (a C4-invariant
/// distribution), `.uniform` by an angle uniform in [0, 2π).
///
/// Draws per image, in order: label (u < ½ → triangle), radius, centre x, centre y, then the
/// orientation (none for `.fixed`, one index below 4 or one uniform otherwise).
public struct PolygonShapes: Equatable, Sendable {
    public enum Orientation: String, Equatable, Sendable, CaseIterable {
        case fixed
        case quarterTurns
        case uniform
    }

    public var count: Int
    public var size: Int
    public var orientation: Orientation

    public init(count: Int = 3000, size: Int = 14, orientation: Orientation = .fixed) {
        self.count = count
        self.size = size
        self.orientation = orientation
    }

    static let supersampling = 4

    public func generate<R: RandomNumberGenerator>(using rng: inout R, name: String = "shapes") throws -> Dataset {
        guard count >= 0, size > 0 else {
            throw DataError.invalidArgument("polygon shapes: count \(count) and size \(size) must be positive")
        }
        var inputs = [Float]()
        inputs.reserveCapacity(count * size * size)
        var labels = [Int]()
        labels.reserveCapacity(count)
        for _ in 0..<count {
            let label = UniformDraws.unit(&rng) < 0.5 ? 0 : 1
            let radius = 0.7 + 0.1 * UniformDraws.unit(&rng)
            let centreX = UniformDraws.unit(&rng) - 0.5
            let centreY = UniformDraws.unit(&rng) - 0.5
            let angle: Double
            switch orientation {
            case .fixed: angle = 0
            case .quarterTurns: angle = Double(UniformDraws.index(below: 4, &rng)) * .pi / 2
            case .uniform: angle = 2 * .pi * UniformDraws.unit(&rng)
            }
            let vertices = PolygonShapes.vertices(sides: label == 0 ? 3 : 5, radius: radius,
                                                  centre: (centreX, centreY), angle: angle)
            inputs.append(contentsOf: PolygonShapes.rasterise(vertices, size: size))
            labels.append(label)
        }
        return try Dataset(name: name, sampleShape: [1, size, size], inputs: inputs, labels: labels, classes: 2)
    }

    /// Counter-clockwise vertices (y up).
    static func vertices(sides: Int, radius: Double, centre: (Double, Double), angle: Double) -> [(Double, Double)] {
        (0..<sides).map { k in
            let phi = angle + 2 * .pi * Double(k) / Double(sides)
            return (centre.0 + radius * cos(phi), centre.1 + radius * sin(phi))
        }
    }

    /// Row-major `size × size` coverage of a convex polygon; row 0 is the top (y = 1).
    static func rasterise(_ polygon: [(Double, Double)], size: Int) -> [Float] {
        let s = supersampling
        var image = [Float](repeating: 0, count: size * size)
        let step = 2 / Double(size * s)
        for row in 0..<size {
            for column in 0..<size {
                var inside = 0
                for sy in 0..<s {
                    let y = 1 - (Double(row * s + sy) + 0.5) * step
                    for sx in 0..<s {
                        let x = -1 + (Double(column * s + sx) + 0.5) * step
                        if contains(polygon, x, y) { inside += 1 }
                    }
                }
                image[row * size + column] = Float(inside) / Float(s * s)
            }
        }
        return image
    }

    static func contains(_ polygon: [(Double, Double)], _ x: Double, _ y: Double) -> Bool {
        for k in polygon.indices {
            let (ax, ay) = polygon[k]
            let (bx, by) = polygon[(k + 1) % polygon.count]
            if (bx - ax) * (y - ay) - (by - ay) * (x - ax) < 0 { return false }
        }
        return true
    }
}
