import EqxTestSupport
import XCTest
@testable import EqxData

final class ZlibTests: XCTestCase {
    func payload(_ count: Int) -> [UInt8] {
        var rng = SplitMix64(seed: 5)
        // Compressible but not trivial: small alphabet.
        return (0..<count).map { _ in UInt8(rng.next() % 7) }
    }

    func testGzipRoundTripAcrossChunkBoundaries() throws {
        let data = payload(3_000_000)
        let compressed = Zlib.gzip(data)
        XCTAssertEqual(Array(compressed.prefix(2)), [0x1f, 0x8b])
        XCTAssertEqual(try Zlib.gunzip(compressed, file: "x.gz"), data)
        // Feed one byte-ish chunk at a time to exercise the streaming path.
        var position = 0
        let streamed = try Zlib.inflate(file: "x.gz", raw: false, limit: nil, maximum: .budget) {
            guard position < compressed.count else { return nil }
            let end = min(compressed.count, position + 1000)
            defer { position = end }
            return Array(compressed[position..<end])
        }
        XCTAssertEqual(streamed, data)
    }

    func testConcatenatedMembersAndZeroPadding() throws {
        let a = payload(1000), b: [UInt8] = Array("second member".utf8)
        XCTAssertEqual(try Zlib.gunzip(Zlib.gzip(a) + Zlib.gzip(b) + [0, 0, 0], file: "m.gz"), a + b)
    }

    func testLimitStopsEarly() throws {
        let data = payload(2_000_000)
        let head = try Zlib.gunzip(Zlib.gzip(data), file: "x.gz", limit: 16)
        XCTAssertEqual(head, Array(data.prefix(16)))
    }

    /// A stream that inflates past its bound stops there with an error (no allocation of the rest):
    /// 8 MB of zeros behind a bound of 10,000 bytes.
    func testOutputBeyondTheBoundIsAnError() throws {
        let bomb = Zlib.gzip([UInt8](repeating: 0, count: 8 << 20), level: 9)
        XCTAssertLessThan(bomb.count, 20_000)
        assertDataError(try Zlib.inflate(file: "bomb.gz", raw: false, limit: nil,
                                         maximum: Zlib.Bound(bytes: 10_000, reason: "its header"),
                                         nextChunk: Zlib.chunks(of: bomb[...])),
                        contains: ["bomb.gz (decompressed)", "byte 10000", "more than the 10000 bytes of its header"])
        let exact = try Zlib.inflate(file: "ok.gz", raw: false, limit: nil, maximum: Zlib.Bound(bytes: 8 << 20, reason: "x"),
                                     nextChunk: Zlib.chunks(of: bomb[...]))
        XCTAssertEqual(exact.count, 8 << 20)
        assertDataError(try Zlib.inflateRaw(Zlib.deflateRaw([UInt8](repeating: 1, count: 100_000))[...], file: "m", expectedSize: 99_999),
                        contains: ["m (decompressed)", "byte 99999", "declared size"])
    }

    func testTruncatedStreamNamesFileAndOffset() {
        let compressed = Zlib.gzip(payload(100_000))
        let cut = compressed.count / 2
        assertDataError(try Zlib.gunzip(Array(compressed[..<cut]), file: "half.gz"),
                        contains: ["half.gz", "byte \(cut)", "truncated"])
    }

    func testCorruptStreamNamesFileAndOffset() {
        var compressed = Zlib.gzip(payload(100_000))
        for i in 40..<60 { compressed[i] ^= 0xff }
        assertDataError(try Zlib.gunzip(compressed, file: "bad.gz"), contains: ["bad.gz", "byte "])
        var badCRC = Zlib.gzip(payload(1000))
        badCRC[badCRC.count - 6] ^= 1
        assertDataError(try Zlib.gunzip(badCRC, file: "crc.gz"), contains: ["crc.gz", "incorrect data check"])
    }

    func testTrailingGarbageIsRejected() {
        assertDataError(try Zlib.gunzip(Zlib.gzip([1, 2, 3]) + [7, 7], file: "t.gz"), contains: ["t.gz", "trailing"])
    }

    func testRawDeflateRoundTripAndCRC() throws {
        let data = payload(70_000)
        XCTAssertEqual(try Zlib.inflateRaw(Zlib.deflateRaw(data)[...], file: "m"), data)
        // CRC-32 check value of "123456789" is 0xCBF43926.
        XCTAssertEqual(Zlib.crc32(Array("123456789".utf8)[...]), 0xCBF4_3926)
    }
}
