import EqxTestSupport
import XCTest
@testable import EqxData

final class SafeTensorsTests: XCTestCase {
    /// Built by hand from the format description: u64 LE header length, the JSON, spaces up to a
    /// multiple of 8, then 1.0 and -2.0 as little-endian float32.
    func testByteExactTinyFile() throws {
        let header = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#   // 54 bytes
        var expected: [UInt8] = [56, 0, 0, 0, 0, 0, 0, 0]
        expected += Array(header.utf8) + [0x20, 0x20]
        expected += [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]
        XCTAssertEqual(try SafeTensors.encode(["w": SafeTensor(floats: [1, -2], shape: [2])]), expected)
        XCTAssertEqual(try SafeTensors.encode([:]), [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
    }

    func testLayoutOrderMetadataAndAlignment() throws {
        let tensors: [String: SafeTensor] = [
            "conv1.weight": SafeTensor(floats: [Float](repeating: 0.5, count: 6), shape: [1, 2, 3]),
            "b": SafeTensor(floats: [1, 2, 3], shape: [3]),
            "steps": SafeTensor(int64s: [Int64(7)], shape: []),
            "bytes": SafeTensor(dtype: .U8, shape: [3], bytes: [1, 2, 3]),
        ]
        let bytes = try SafeTensors.encode(tensors, metadata: ["format": "pt", "eqx": "1"])
        let length = Int(bytes[0]) | Int(bytes[1]) << 8
        XCTAssertEqual(bytes[2..<8], [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(length % 8, 0)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces),
                       #"{"__metadata__":{"eqx":"1","format":"pt"},"steps":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"#
                       + #""b":{"dtype":"F32","shape":[3],"data_offsets":[8,20]},"conv1.weight":{"dtype":"F32","shape":[1,2,3],"data_offsets":[20,44]},"#
                       + #""bytes":{"dtype":"U8","shape":[3],"data_offsets":[44,47]}}"#)
        let decoded = try SafeTensors.decode(bytes, file: "m.safetensors")
        XCTAssertEqual(decoded.tensors, tensors)
        XCTAssertEqual(decoded.metadata, ["format": "pt", "eqx": "1"])
        XCTAssertEqual(try decoded.tensors["steps"]!.int64s(), [7])
        XCTAssertEqual(try decoded.tensors["b"]!.floats(), [1, 2, 3])
    }

    func testFileRoundTripIsAtomicAndExact() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("ckpt/model.safetensors")
        var rng = SplitMix64(seed: 2)
        let values = (0..<1000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x7f7f_ffff) }
        let tensors = ["fc.weight": SafeTensor(floats: values, shape: [10, 100]), "fc.bias": SafeTensor(floats: [Float](repeating: -0.0, count: 10), shape: [10])]
        try SafeTensors.write(tensors, metadata: ["seed": "7"], to: url)
        let read = try SafeTensors.read(url)
        XCTAssertEqual(read.tensors, tensors)
        XCTAssertEqual(try read.tensors["fc.weight"]!.floats().map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["model.safetensors"])
    }

    func testEncodeRejectsInconsistentTensors() {
        assertDataError(try SafeTensors.encode(["x": SafeTensor(floats: [1, 2, 3], shape: [2])]), contains: ["'x'", "[2]"])
        assertDataError(try SafeTensors.encode(["__metadata__": SafeTensor(floats: [1], shape: [1])]), contains: ["__metadata__"])
    }

    func testDecodeErrorsNameFileAndOffset() throws {
        let good = try SafeTensors.encode(["a": SafeTensor(floats: [1, 2], shape: [2]), "b": SafeTensor(floats: [3], shape: [1])])
        let length = Int(good[0])
        assertDataError(try SafeTensors.decode(Array(good.prefix(5)), file: "f.st"), contains: ["f.st", "byte 0", "truncated"])
        assertDataError(try SafeTensors.decode(Array(good.prefix(20)), file: "f.st"), contains: ["f.st", "byte 8", "truncated"])
        assertDataError(try SafeTensors.decode(Array(good.dropLast(2)), file: "f.st"), contains: ["f.st", "byte \(8 + length + 8)", "truncated"])
        assertDataError(try SafeTensors.decode(good + [0, 0], file: "f.st"), contains: ["f.st", "byte \(8 + length + 12)", "2 bytes after"])
        var huge = good
        huge[7] = 1
        assertDataError(try SafeTensors.decode(huge, file: "f.st"), contains: ["f.st", "byte 0", "exceeds"])
        func file(_ header: String, data: Int) -> [UInt8] {
            var h = Array(header.utf8)
            while h.count % 8 != 0 { h.append(0x20) }
            return (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) } + h + [UInt8](repeating: 0, count: data)
        }
        assertDataError(try SafeTensors.decode(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: 4), file: "g"),
                        contains: ["g", "'a'", "needs 8"])
        assertDataError(try SafeTensors.decode(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), file: "g"),
                        contains: ["g", "hole of 4 bytes"])
        assertDataError(try SafeTensors.decode(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), file: "g"),
                        contains: ["g", "overlaps"])
        assertDataError(try SafeTensors.decode(file(#"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}"#, data: 1), file: "g"),
                        contains: ["g", "Q7"])
        assertDataError(try SafeTensors.decode(file(#"[1]"#, data: 0), file: "g"), contains: ["g", "byte 8", "'{'"])
        assertDataError(try SafeTensors.decode(file(#"{"a":"#, data: 0), file: "g"), contains: ["g", "byte 8", "JSON"])
    }

    /// Byte-for-byte agreement with the reference implementation (Python `safetensors`), both ways.
    func testMatchesTheReferenceImplementation() throws {
        let dir = try makeTemporaryDirectory(self)
        let tensors: [String: SafeTensor] = [
            "conv1.weight": SafeTensor(floats: (0..<54).map { Float($0) / 7 }, shape: [2, 3, 3, 3]),
            "conv1.bias": SafeTensor(floats: [0.25, -1], shape: [2]),
            "bn.num_batches_tracked": SafeTensor(int64s: [Int64(12)], shape: []),
            "fc.weight": SafeTensor(dtype: .F64, shape: [1, 2], bytes: [0, 0, 0, 0, 0, 0, 0xf0, 0x3f] + [0, 0, 0, 0, 0, 0, 0, 0x40]),
        ]
        let ours = dir.appendingPathComponent("ours.safetensors")
        try SafeTensors.write(tensors, metadata: ["format": "pt"], to: ours)
        let script = """
        import sys, numpy as np
        from safetensors.numpy import load_file, save_file
        d = sys.argv[1]
        t = load_file(d + '/ours.safetensors')
        assert np.array_equal(t['conv1.weight'], (np.arange(54, dtype=np.float64) / 7).astype(np.float32).reshape(2, 3, 3, 3))
        assert t['bn.num_batches_tracked'].dtype == np.int64 and t['bn.num_batches_tracked'].shape == ()
        save_file(t, d + '/theirs.safetensors', metadata={'format': 'pt'})
        """
        guard let (status, output) = runPython(script, arguments: [dir.path]) else { throw XCTSkip("python3 not available") }
        if status != 0 {
            if output.contains("ModuleNotFoundError") { throw XCTSkip("python safetensors/numpy not installed") }
            XCTFail(output)
            return
        }
        let theirs = try Data(contentsOf: dir.appendingPathComponent("theirs.safetensors"))
        XCTAssertEqual([UInt8](theirs), [UInt8](try Data(contentsOf: ours)))
    }

    /// F16 and BF16 widen exactly: every one of the 65,536 finite-or-not bit patterns against Swift's
    /// own Float16 (F16) and the definition of bfloat16 as float32's upper half (BF16).
    func testHalfPrecisionTensorsWidenExactly() throws {
        for bits in 0...UInt16.max {
            let reference = Float(Float16(bitPattern: bits))
            let mine = SafeTensor.halfToFloat(bits)
            XCTAssertTrue(reference.isNaN ? mine.isNaN : mine.bitPattern == reference.bitPattern, "F16 \(bits)")
        }
        let halves: [UInt16] = [0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000]
        let f16 = SafeTensor(dtype: .F16, shape: [5], bytes: halves.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] })
        XCTAssertEqual(try f16.floats(), [1, -2, 0x1p-24, 65504, -0.0])
        let bf16 = SafeTensor(dtype: .BF16, shape: [2], bytes: [0x80, 0x3f, 0x49, 0xc0])   // 1.0, -3.140625
        XCTAssertEqual(try bf16.floats(), [1, -3.140625])
    }

    /// Non-float dtypes and non-finite values, as a loaded checkpoint would meet them: the tensor, its
    /// dtype, what eqx reads, and the byte offset.
    func testUnreadableTensorsAreNamed() throws {
        let file = try SafeTensors.decode(SafeTensors.encode([
            "conv1.weight": SafeTensor(int64s: [1, 2], shape: [2]),
            "fc.bias": SafeTensor(floats: [1, .infinity, 3], shape: [3]),
        ]), file: "c.safetensors")
        assertDataError(try file.tensors["conv1.weight"]!.floats(),
                        contains: ["c.safetensors", "byte ", "tensor 'conv1.weight' has dtype I64", "F32, F16, BF16, F64"])
        // Data order: the I64 tensor (16 bytes) after the F32 one; element 1 of fc.bias is 4 bytes in.
        let header = Int(try SafeTensors.encode(["fc.bias": SafeTensor(floats: [1, 2, 3], shape: [3]),
                                                 "conv1.weight": SafeTensor(int64s: [1, 2], shape: [2])])[0])
        assertDataError(try file.tensors["fc.bias"]!.floats(),
                        contains: ["c.safetensors", "byte \(8 + header + 16 + 4)", "tensor 'fc.bias': element 1 is inf"])
    }
}
