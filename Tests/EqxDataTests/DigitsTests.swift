import XCTest
@testable import EqxData

final class DigitsTests: XCTestCase {
    func testBuiltInDigits() throws {
        let all = try Digits.load()
        XCTAssertEqual(all.count, 1797)
        XCTAssertEqual(all.sampleShape, [1, 8, 8])
        XCTAssertEqual(all.classes, 10)
        // Class counts of scikit-learn's load_digits().
        XCTAssertEqual(all.classCounts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        XCTAssertEqual(all.inputs.min(), 0)
        XCTAssertEqual(all.inputs.max(), 1)
        // Values are k/16 exactly.
        XCTAssertTrue(all.inputs.allSatisfy { ($0 * 16).rounded() == $0 * 16 })
        // First row of the file: 0,0,5,13,9,1,0,0 … label 0.
        XCTAssertEqual(Array(all.sample(0).prefix(8)), [0, 0, 5, 13, 9, 1, 0, 0].map { Float($0) / 16 })
        XCTAssertEqual(all.labels.prefix(10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    func testFixedSplit() throws {
        let train = try Digits.load(split: .train)
        let test = try Digits.load(split: .test)
        XCTAssertEqual(train.count, 1397)
        XCTAssertEqual(test.count, 400)
        XCTAssertEqual(test.classCounts, [39, 39, 40, 39, 43, 41, 39, 40, 39, 41])
        let all = try Digits.load()
        XCTAssertEqual(Array(test.inputs), Array(all.inputs.suffix(400 * 64)))
        XCTAssertEqual(Digits.probe(split: .test), DataProbe(sampleShape: [1, 8, 8], count: 400, classes: 10))
        XCTAssertEqual(try DataSource.digits(.train).load().fingerprint, train.fingerprint)
    }

    /// The data come from the SwiftPM resource bundle next to the binary, not the source tree.
    func testResourceIsFoundInTheBundle() throws {
        let url = try XCTUnwrap(Digits.resourceURL())
        XCTAssertTrue(url.path.contains("eqx_EqxData.resources") || url.path.contains("eqx_EqxData.bundle"), url.path)
    }
}
