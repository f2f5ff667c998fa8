import EqxTestSupport
import XCTest
@testable import EqxData

final class ResizeTests: XCTestCase {
    func image(_ values: [Float], height: Int, width: Int) throws -> Dataset {
        try Dataset(name: "img", sampleShape: [1, height, width], inputs: values, labels: [0], classes: 1)
    }

    func testAreaHalvingIsTwoByTwoAveragePooling() throws {
        let values = (0..<16).map(Float.init)
        let result = try image(values, height: 4, width: 4).resized(height: 2, width: 2, method: .area)
        XCTAssertEqual(result.sampleShape, [1, 2, 2])
        // Mean of {0,1,4,5}, {2,3,6,7}, {8,9,12,13}, {10,11,14,15}.
        XCTAssertEqual(result.inputs, [2.5, 4.5, 10.5, 12.5])
    }

    func testAreaWithNonIntegerFactorUsesAdaptivePoolingBins() throws {
        // 3 → 2: bins [0, 2) and [1, 3), as adaptive_avg_pool2d.
        let result = try image([0, 3, 9], height: 1, width: 3).resized(height: 1, width: 2, method: .area)
        XCTAssertEqual(result.inputs, [1.5, 6])
    }

    /// 4 → 2 antialiased bilinear, weights worked out by hand from the triangle filter of
    /// half-width 2 input pixels: output 0 = (¾ x0 + ¾ x1 + ¼ x2) / 1.75, output 1 = (¼ x1 + ¾ x2 + ¾ x3) / 1.75.
    func testBilinearDownscaleWeights() throws {
        let row: [Float] = [1, 2, 4, 8]
        let result = try image(row, height: 1, width: 4).resized(height: 1, width: 2, method: .bilinear)
        XCTAssertEqual(result.inputs[0], (0.75 * 1 + 0.75 * 2 + 0.25 * 4) / 1.75, accuracy: 1e-6)
        XCTAssertEqual(result.inputs[1], (0.25 * 2 + 0.75 * 4 + 0.75 * 8) / 1.75, accuracy: 1e-6)
    }

    func testBilinearInteriorWeightsFor28To14() {
        let weights = ResampleWeights(input: 28, output: 14, method: .bilinear)
        XCTAssertEqual(weights.start[5], 9)
        XCTAssertEqual(weights.weights[5], [0.125, 0.375, 0.375, 0.125])
        XCTAssertEqual(weights.weights[0].count, 3)
    }

    /// Enlarging is plain bilinear with align_corners=false and clamped edges.
    func testBilinearUpscale() throws {
        let result = try image([0, 4], height: 1, width: 2).resized(height: 1, width: 4, method: .bilinear)
        XCTAssertEqual(result.inputs, [0, 1, 3, 4])
    }

    func testConstantImagesStayConstantAndSizesAreChecked() throws {
        let data = try Dataset(name: "c", sampleShape: [2, 5, 7], inputs: [Float](repeating: 0.3, count: 2 * 70),
                               labels: [0, 1], classes: 2)
        for method in ResizeMethod.allCases {
            let result = try data.resized(height: 3, width: 4, method: method)
            XCTAssertEqual(result.sampleShape, [2, 3, 4])
            XCTAssertEqual(result.labels, [0, 1])
            for value in result.inputs { XCTAssertEqual(value, 0.3, accuracy: 1e-6) }
        }
        let vectors = try Dataset(name: "v", sampleShape: [4], inputs: [1, 2, 3, 4], labels: [0], classes: 1)
        assertDataError(try vectors.resized(height: 2, width: 2), contains: ["[C, H, W]"])
        assertDataError(try data.resized(height: 0, width: 2), contains: ["0×2"])
    }

    /// Cross-check with Pillow's BILINEAR resampling of a float ('F') image, the filter
    /// torchvision's antialiased Resize reproduces. Skips when Python or Pillow is missing.
    func testBilinearMatchesPillow() throws {
        var rng = SplitMix64(seed: 11)
        let values = (0..<(28 * 28)).map { _ in Float(rng.next() % 256) / 255 }
        let text = values.map { String($0) }.joined(separator: ",")
        let script = """
        import sys
        from PIL import Image
        vals = [float(v) for v in sys.argv[1].split(',')]
        im = Image.new('F', (28, 28))
        im.putdata(vals)
        for (w, h) in [(14, 14), (10, 17), (40, 40)]:
            out = im.resize((w, h), Image.BILINEAR)
            print(' '.join(repr(v) for v in out.getdata()))
        """
        guard let (status, output) = runPython(script, arguments: [text]), status == 0 else {
            throw XCTSkip("python3 with Pillow not available")
        }
        let lines = output.split(separator: "\n")
        let data = try image(values, height: 28, width: 28)
        for (line, (width, height)) in zip(lines, [(14, 14), (10, 17), (40, 40)]) {
            let expected = line.split(separator: " ").compactMap { Float($0) }
            let result = try data.resized(height: height, width: width, method: .bilinear)
            XCTAssertEqual(expected.count, result.inputs.count)
            let worst = zip(expected, result.inputs).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-5, "max difference from Pillow for \(width)×\(height)")
        }
    }
}
