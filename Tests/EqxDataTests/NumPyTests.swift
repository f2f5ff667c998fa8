import XCTest
@testable import EqxData

final class NumPyTests: XCTestCase {
    func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    func testAllSupportedDtypes() throws {
        let f4 = NPY.encode(shape: [2, 2], values: [1.5, -2, 0, 3.25])
        XCTAssertEqual(try NPY.parse(f4, file: "f4").values, [1.5, -2, 0, 3.25])
        XCTAssertEqual(try NPY.parse(f4, file: "f4").shape, [2, 2])
        let f8 = npyFile(descr: "<f8", shape: [3], data: le([0.25, -1e10, 7].map { (v: Double) in v.bitPattern }))
        XCTAssertEqual(try NPY.parse(f8, file: "f8").values, [0.25, -1e10, 7])
        let u1 = npyFile(descr: "|u1", shape: [4], data: [0, 1, 200, 255])
        XCTAssertEqual(try NPY.parse(u1, file: "u1").values, [0, 1, 200, 255])
        let i8 = npyFile(descr: "<i8", shape: [3], data: le([Int64(-5), 0, 1 << 40]))
        XCTAssertEqual(try NPY.parse(i8, file: "i8").values, [-5, 0, Float(1 << 40)])
        let i4 = npyFile(descr: "<i4", shape: [2], data: le([Int32(-7), 9]))
        XCTAssertEqual(try NPY.parse(i4, file: "i4").values, [-7, 9])
        let bigF4 = npyFile(descr: ">f4", shape: [1], data: withUnsafeBytes(of: Float(2.5).bitPattern.bigEndian) { Array($0) })
        XCTAssertEqual(try NPY.parse(bigF4, file: "be").values, [2.5])
        let scalar = npyFile(descr: "<f4", shape: [], data: withUnsafeBytes(of: Float(4).bitPattern.littleEndian) { Array($0) })
        XCTAssertEqual(try NPY.parse(scalar, file: "s").shape, [])
        XCTAssertEqual(try NPY.parse(scalar, file: "s").values, [4])
    }

    func testRejectionsNameFileAndOffset() {
        let fortran = npyFile(descr: "<f4", shape: [2, 2], data: [UInt8](repeating: 0, count: 16), fortran: true)
        assertDataError(try NPY.parse(fortran, file: "f.npy"), contains: ["f.npy", "byte 10", "Fortran"])
        let complex = npyFile(descr: "<c8", shape: [1], data: [UInt8](repeating: 0, count: 8))
        assertDataError(try NPY.parse(complex, file: "c.npy"), contains: ["c.npy", "<c8"])
        var badMagic = NPY.encode(shape: [1], values: [1])
        badMagic[1] = UInt8(ascii: "X")
        assertDataError(try NPY.parse(badMagic, file: "m.npy"), contains: ["m.npy", "byte 0", "magic"])
        let good = NPY.encode(shape: [3], values: [1, 2, 3])
        assertDataError(try NPY.parse(Array(good.dropLast(5)), file: "t.npy"), contains: ["t.npy", "byte 128", "truncated"])
        assertDataError(try NPY.parse(Array(good.prefix(9)), file: "h.npy"), contains: ["h.npy", "byte 8"])
        assertDataError(try NPY.parse(Array(good.prefix(40)), file: "h2.npy"), contains: ["h2.npy", "byte 10", "truncated"])
    }

    func testNPZStoredAndDeflatedMembers() throws {
        let dir = try makeTemporaryDirectory(self)
        let x = NPY.encode(shape: [3, 2, 2], values: (0..<12).map(Float.init))
        let y = npyFile(descr: "<i8", shape: [3], data: le([Int64(2), 0, 1]))
        for deflate in [false, true] {
            let url = dir.appendingPathComponent("d\(deflate).npz")
            try write(zipArchive([("x.npy", x, deflate), ("y.npy", y, deflate)]), to: url)
            let arrays = try NPZ.read(url)
            XCTAssertEqual(Set(arrays.keys), ["x", "y"])
            XCTAssertEqual(arrays["x"]?.shape, [3, 2, 2])
            XCTAssertEqual(try NPZ.arrayNames(url), ["x", "y"])
            let data = try Dataset.load(npz: url)
            XCTAssertEqual(data.sampleShape, [1, 2, 2])
            XCTAssertEqual(data.labels, [2, 0, 1])
            XCTAssertEqual(data.classes, 3)
            XCTAssertEqual(try DataSource.npz(url, inputs: "x", labels: "y", classes: nil).probe(),
                           DataProbe(sampleShape: [1, 2, 2], count: 3, classes: 3))
        }
    }

    func testNPZErrors() throws {
        let dir = try makeTemporaryDirectory(self)
        let x = NPY.encode(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let url = dir.appendingPathComponent("a.npz")
        var archive = zipArchive([("x.npy", x, true)])
        try write(archive, to: url)
        assertDataError(try NPZ.read(url, array: "labels"), contains: [url.path, "labels.npy", "x.npy"])
        // Corrupt the compressed member's data: CRC or inflate error naming the member.
        archive[45] ^= 0xff
        try write(archive, to: url)
        assertDataError(try NPZ.read(url), contains: [url.path])
        try write(Array(zipArchive([("x.npy", x, false)]).prefix(60)), to: url)
        assertDataError(try NPZ.read(url), contains: [url.path, "truncated"])
        try write([1, 2, 3, 4] + [UInt8](repeating: 0, count: 30), to: url)
        assertDataError(try NPZ.read(url), contains: [url.path, "byte 0", "zip"])
        // Labels that are not integers, and labels above the class count.
        let y = NPY.encode(shape: [2], values: [0, 1.5])
        try write(zipArchive([("x.npy", x, false), ("y.npy", y, false)]), to: url)
        assertDataError(try Dataset.load(npz: url), contains: ["y.npy", "byte 132", "1.5"])  // data starts at 128 (header padded to 64-byte multiples)
        let y10 = NPY.encode(shape: [2], values: [10, 1])
        try write(zipArchive([("x.npy", x, false), ("y.npy", y10, false)]), to: url)
        assertDataError(try Dataset.load(npz: url, classes: 10), contains: ["y.npy", "byte 128", "label 10"])
        let y3 = NPY.encode(shape: [3], values: [0, 1, 1])
        try write(zipArchive([("x.npy", x, false), ("y.npy", y3, false)]), to: url)
        assertDataError(try Dataset.load(npz: url), contains: ["2 images", "3 labels"])
    }

    func testNPYPairAsDataset() throws {
        let dir = try makeTemporaryDirectory(self)
        try write(NPY.encode(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), to: dir.appendingPathComponent("x.npy"))
        try write(npyFile(descr: "|u1", shape: [2], data: [1, 0]), to: dir.appendingPathComponent("y.npy"))
        let data = try Dataset.load(npyInputs: dir.appendingPathComponent("x.npy"), labels: dir.appendingPathComponent("y.npy"), classes: 4)
        XCTAssertEqual(data.sampleShape, [3])
        XCTAssertEqual(data.classes, 4)
        XCTAssertEqual(try DataSource.npy(inputs: dir.appendingPathComponent("x.npy"), labels: dir.appendingPathComponent("y.npy"), classes: nil).probe(),
                       DataProbe(sampleShape: [3], count: 2, classes: 2))
    }

    /// Inputs of shape [2, 0]: the error names the inputs file (the fuzzer's finding: it named only the dataset).
    func testNPYPairWithEmptySamplesNamesTheFile() throws {
        let dir = try makeTemporaryDirectory(self)
        let x = dir.appendingPathComponent("x.npy"), y = dir.appendingPathComponent("y.npy")
        try write(NPY.encode(shape: [2, 0], values: []), to: x)
        try write(npyFile(descr: "|u1", shape: [2], data: [1, 0]), to: y)
        XCTAssertThrowsError(try Dataset.load(npyInputs: x, labels: y)) { error in
            XCTAssertTrue("\(error)".contains(x.path), "\(error)")
            XCTAssertTrue("\(error)".contains("empty samples"), "\(error)")
        }
    }

    /// numpy's own savez / savez_compressed output (zip64 extra fields) read back exactly.
    func testReadsFilesWrittenByNumPy() throws {
        let dir = try makeTemporaryDirectory(self)
        let script = """
        import sys, numpy as np
        d = sys.argv[1]
        x = (np.arange(2*3*4, dtype=np.float64).reshape(2, 3, 4) / 7.0)
        np.save(d + '/x64.npy', x)
        np.save(d + '/u8.npy', np.arange(10, dtype=np.uint8))
        np.save(d + '/fortran.npy', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
        np.savez(d + '/plain.npz', x=x.astype(np.float32), y=np.array([1, 0], dtype=np.int64))
        np.savez_compressed(d + '/packed.npz', x=x.astype(np.float32), y=np.array([1, 0], dtype=np.int64))
        """
        guard let (status, output) = runPython(script, arguments: [dir.path]) else { throw XCTSkip("python3 not available") }
        if status != 0 { throw XCTSkip("numpy not available: \(output)") }
        let expected = (0..<24).map { Float(Double($0) / 7) }
        XCTAssertEqual(try NPY.read(dir.appendingPathComponent("x64.npy")).values, expected)
        XCTAssertEqual(try NPY.read(dir.appendingPathComponent("u8.npy")).values, (0..<10).map(Float.init))
        assertDataError(try NPY.read(dir.appendingPathComponent("fortran.npy")), contains: ["fortran.npy", "Fortran"])
        for name in ["plain.npz", "packed.npz"] {
            let data = try Dataset.load(npz: dir.appendingPathComponent(name))
            XCTAssertEqual(data.sampleShape, [1, 3, 4])
            XCTAssertEqual(data.inputs, expected.map { Float($0) })
            XCTAssertEqual(data.labels, [1, 0])
        }
    }
}
