import Foundation
import XCTest
@testable import EqxData

/// `.npy` output: plain arrays read back by eqx's own reader, record arrays checked byte by byte, and
/// both read by numpy where it is installed.
final class NPYWriterTests: XCTestCase {
    func testArraysReadBack() throws {
        let floats: [Float] = [0, -1.5, .pi, 1e-30, 65504]
        let f = try NPY.parse(NPYWriter.float32(shape: [5, 1], values: floats), file: "f.npy")
        XCTAssertEqual(f.shape, [5, 1]); XCTAssertEqual(f.dtype, "<f4"); XCTAssertEqual(f.values, floats)
        let ints = [0, 9, -3, 1 << 40]
        let i = try NPY.parse(NPYWriter.int64(shape: [4], values: ints), file: "i.npy")
        XCTAssertEqual(i.shape, [4]); XCTAssertEqual(i.dtype, "<i8"); XCTAssertEqual(i.values, ints.map(Float.init))
        XCTAssertEqual(NPY.encode(shape: [5, 1], values: floats), NPYWriter.float32(shape: [5, 1], values: floats))
    }

    func testRecordLayout() {
        let fields = [NPYWriter.Field(name: "index", kind: .int64), NPYWriter.Field(name: "logits", kind: .float32, shape: [2])]
        let bytes = NPYWriter.records(fields, count: 2, ints: [7, 8], floats: [1, 2, 3, 4])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0, "the header is padded to 64 bytes")
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{'descr': [('index', '<i8'), ('logits', '<f4', (2,))], 'fortran_order': False, 'shape': (2,), }"), header)
        XCTAssertTrue(header.hasSuffix("\n"))
        let body = Array(bytes[(10 + headerLength)...])
        // Record 0: int64 7, float32 1, 2; record 1: int64 8, float32 3, 4 (little-endian).
        let expected: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40,
                                 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40]
        XCTAssertEqual(body, expected)
    }

    func testNumpyReadsRecords() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("p.npy")
        let fields = [NPYWriter.Field(name: "index", kind: .int64), NPYWriter.Field(name: "label", kind: .int64),
                      NPYWriter.Field(name: "logits", kind: .float32, shape: [3])]
        try write(NPYWriter.records(fields, count: 2, ints: [0, 2, 1, 0], floats: [0.5, -1, 2, 3, 4, -5]), to: url)
        let script = """
        import sys, numpy as np
        a = np.load(sys.argv[1])
        assert a.dtype.names == ('index', 'label', 'logits'), a.dtype
        assert a['index'].tolist() == [0, 1] and a['label'].tolist() == [2, 0]
        assert a['logits'].tolist() == [[0.5, -1.0, 2.0], [3.0, 4.0, -5.0]], a['logits']
        print("ok")
        """
        guard let r = runPython(script, arguments: [url.path]), !r.output.contains("No module named") else {
            throw XCTSkip("python3 with numpy is not installed")
        }
        XCTAssertEqual(r.status, 0, r.output)
    }
}
