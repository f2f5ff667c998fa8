import EqxTestSupport
import XCTest
@testable import EqxData

final class PolygonShapesTests: XCTestCase {
    /// Coverage summed over pixels equals the exact polygon area ½·n·r²·sin(2π/n) to within the
    /// supersampling error, for polygons inside the canvas.
    func testRasterisedAreaMatchesTheGeometry() {
        for (sides, radius, angle) in [(3, 0.7, 0.0), (5, 0.8, 0.3), (4, 0.5, Double.pi / 4)] {
            let polygon = PolygonShapes.vertices(sides: sides, radius: radius, centre: (0.1, -0.05), angle: angle)
            let image = PolygonShapes.rasterise(polygon, size: 28)
            let area = Double(image.reduce(0, +)) * pow(2.0 / 28, 2)
            let exact = 0.5 * Double(sides) * radius * radius * sin(2 * .pi / Double(sides))
            XCTAssertEqual(area, exact, accuracy: 0.01 * exact, "\(sides) sides")
            XCTAssertTrue(image.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        // The axis-aligned square [-0.3536, 0.3536]² covers whole pixels in the middle.
        let square = PolygonShapes.rasterise(PolygonShapes.vertices(sides: 4, radius: 0.5, centre: (0, 0), angle: .pi / 4), size: 28)
        XCTAssertEqual(square[14 * 28 + 14], 1)
        XCTAssertEqual(square[0], 0)
    }

    func testGeneratedSet() throws {
        var rng = SplitMix64(seed: 5)
        let data = try PolygonShapes(count: 400, size: 14, orientation: .uniform).generate(using: &rng)
        XCTAssertEqual(data.sampleShape, [1, 14, 14])
        XCTAssertEqual(data.classes, 2)
        XCTAssertEqual(Double(data.classCounts[0]) / 400, 0.5, accuracy: 0.1)
        XCTAssertTrue(data.inputs.allSatisfy { $0 >= 0 && $0 <= 1 })
        // Pentagons cover more than triangles on average.
        func meanArea(_ label: Int) -> Float {
            let indices = data.labels.indices.filter { data.labels[$0] == label }
            return indices.map { data.sample($0).reduce(0, +) }.reduce(0, +) / Float(indices.count)
        }
        XCTAssertGreaterThan(meanArea(1), 1.3 * meanArea(0))
    }

    /// The direction a triangle points is the sign of its strongest third central moment (the
    /// long tail is towards the apex). Fixed orientation: all point right (+x). Quarter turns:
    /// the four directions about equally often.
    func testOrientationControlsTheSymmetry() throws {
        func directions(_ orientation: PolygonShapes.Orientation) throws -> [String: Double] {
            var rng = SplitMix64(seed: 1)
            let data = try PolygonShapes(count: 600, size: 14, orientation: orientation).generate(using: &rng)
            var counts: [String: Double] = [:]
            let triangles = data.labels.indices.filter { data.labels[$0] == 0 }
            for i in triangles {
                let image = Array(data.sample(i)).map(Double.init)
                let mass = image.reduce(0, +)
                var mx = 0.0, my = 0.0
                for r in 0..<14 { for c in 0..<14 { mx += Double(c) * image[r * 14 + c]; my += Double(13 - r) * image[r * 14 + c] } }
                mx /= mass; my /= mass
                var sx = 0.0, sy = 0.0
                for r in 0..<14 { for c in 0..<14 {
                    sx += pow(Double(c) - mx, 3) * image[r * 14 + c]
                    sy += pow(Double(13 - r) - my, 3) * image[r * 14 + c]
                } }
                let key = abs(sx) > abs(sy) ? (sx > 0 ? "+x" : "-x") : (sy > 0 ? "+y" : "-y")
                counts[key, default: 0] += 1 / Double(triangles.count)
            }
            return counts
        }
        XCTAssertGreaterThan(try directions(.fixed)["+x"] ?? 0, 0.95)
        let turned = try directions(.quarterTurns)
        for key in ["+x", "-x", "+y", "-y"] { XCTAssertEqual(turned[key] ?? 0, 0.25, accuracy: 0.08, key) }
    }

    func testDeterministicPerSeed() throws {
        var a = SplitMix64(seed: 3), b = SplitMix64(seed: 3)
        let model = PolygonShapes(count: 20, orientation: .quarterTurns)
        XCTAssertEqual(try model.generate(using: &a).fingerprint, try model.generate(using: &b).fingerprint)
    }
}
