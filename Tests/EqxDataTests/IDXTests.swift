import XCTest
@testable import EqxData

final class IDXTests: XCTestCase {
    func testLoadsRawAndGzipPairsIdentically() throws {
        let dir = try makeTemporaryDirectory(self)
        let images = idxImages(count: 3, height: 4, width: 5)
        let labels = idxLabels([3, 9, 0])
        try write(images, to: dir.appendingPathComponent("i"))
        try write(labels, to: dir.appendingPathComponent("l"))
        try write(Zlib.gzip(images), to: dir.appendingPathComponent("i.gz"))
        try write(Zlib.gzip(labels), to: dir.appendingPathComponent("l.gz"))
        let raw = try IDX.load(images: dir.appendingPathComponent("i"), labels: dir.appendingPathComponent("l"))
        let gz = try IDX.load(images: dir.appendingPathComponent("i.gz"), labels: dir.appendingPathComponent("l.gz"))
        XCTAssertEqual(raw.sampleShape, [1, 4, 5])
        XCTAssertEqual(raw.labels, [3, 9, 0])
        XCTAssertEqual(raw.inputs.count, 60)
        XCTAssertEqual(raw.inputs[21], Float((1 * 7 + 1) % 256) / 255)
        XCTAssertEqual(raw.fingerprint, gz.fingerprint)
    }

    func testDirectoryFormFindsStandardNames() throws {
        let dir = try makeTemporaryDirectory(self)
        try write(Zlib.gzip(idxImages(count: 2, height: 2, width: 2)), to: dir.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try write(Zlib.gzip(idxLabels([1, 2])), to: dir.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        try write(idxImages(count: 1, height: 2, width: 2), to: dir.appendingPathComponent("t10k-images.idx3-ubyte"))
        try write(idxLabels([7]), to: dir.appendingPathComponent("t10k-labels.idx1-ubyte"))
        XCTAssertEqual(try IDX.load(directory: dir, split: .train).labels, [1, 2])
        XCTAssertEqual(try IDX.load(directory: dir, split: .test).labels, [7])
        let empty = try makeTemporaryDirectory(self)
        assertDataError(try IDX.load(directory: empty, split: .train), contains: [empty.path, "train-images-idx3-ubyte.gz"])
    }

    func testWrongMagicNamesFileAndOffset() throws {
        let dir = try makeTemporaryDirectory(self)
        let images = dir.appendingPathComponent("images"), labels = dir.appendingPathComponent("labels")
        try write(idxLabels([1]), to: images)  // a label file where images are expected
        try write(idxLabels([1]), to: labels)
        assertDataError(try IDX.load(images: images, labels: labels), contains: [images.path, "byte 0", "0x00000801", "0x00000803"])
        try write(Zlib.gzip(idxImages(count: 1, height: 1, width: 1)), to: labels)
        assertDataError(try IDX.load(images: dir.appendingPathComponent("missing"), labels: labels), contains: ["missing", "no such file"])
        try write(idxImages(count: 1, height: 1, width: 1), to: images)
        assertDataError(try IDX.load(images: images, labels: labels), contains: [labels.path + " (decompressed)", "byte 0", "wrong magic"])
    }

    func testTruncationAtSeveralOffsets() throws {
        let dir = try makeTemporaryDirectory(self)
        let full = idxImages(count: 4, height: 3, width: 3)
        let labels = dir.appendingPathComponent("labels")
        try write(idxLabels([0, 1, 2, 3]), to: labels)
        for cut in [0, 3, 7, 15, 16, 30, full.count - 1] {
            let url = dir.appendingPathComponent("images-\(cut)")
            try write(Array(full[..<cut]), to: url)
            let offset = cut < 16 ? (cut / 4) * 4 : 16
            assertDataError(try IDX.load(images: url, labels: labels), contains: [url.path, "byte \(offset)", "truncated"])
            // Same through gzip: offsets then count decompressed bytes.
            let gz = dir.appendingPathComponent("images-\(cut).gz")
            try write(Zlib.gzip(Array(full[..<cut])), to: gz)
            assertDataError(try IDX.load(images: gz, labels: labels), contains: [gz.path + " (decompressed)", "byte \(offset)"])
        }
        let shortLabels = dir.appendingPathComponent("short-labels")
        try write(Array(idxLabels([0, 1, 2, 3]).dropLast()), to: shortLabels)
        try write(full, to: dir.appendingPathComponent("images"))
        assertDataError(try IDX.load(images: dir.appendingPathComponent("images"), labels: shortLabels),
                        contains: [shortLabels.path, "byte 8", "needs 4", "only 3"])
        assertDataError(try IDX.probe(images: dir.appendingPathComponent("images"), labels: shortLabels),
                        contains: [shortLabels.path, "byte 8", "needs 4", "only 3"])
    }

    func testLabelOutOfRangeNamesTheByte() throws {
        let dir = try makeTemporaryDirectory(self)
        try write(idxImages(count: 3, height: 1, width: 1), to: dir.appendingPathComponent("i"))
        try write(idxLabels([0, 10, 1]), to: dir.appendingPathComponent("l"))
        assertDataError(try IDX.load(images: dir.appendingPathComponent("i"), labels: dir.appendingPathComponent("l")),
                        contains: [dir.appendingPathComponent("l").path, "byte 9", "label 10", "0..<10"])
    }

    func testCountMismatch() throws {
        let dir = try makeTemporaryDirectory(self)
        try write(idxImages(count: 3, height: 1, width: 1), to: dir.appendingPathComponent("i"))
        try write(idxLabels([0, 1]), to: dir.appendingPathComponent("l"))
        assertDataError(try IDX.load(images: dir.appendingPathComponent("i"), labels: dir.appendingPathComponent("l")),
                        contains: ["3 images", "2 labels"])
    }

    func testBadGzipStream() throws {
        let dir = try makeTemporaryDirectory(self)
        var gz = Zlib.gzip(idxImages(count: 50, height: 8, width: 8))
        for i in 20..<40 { gz[i] = 0xAA }
        let url = dir.appendingPathComponent("bad.gz")
        try write(gz, to: url)
        try write(idxLabels([UInt8](repeating: 0, count: 50)), to: dir.appendingPathComponent("l"))
        assertDataError(try IDX.load(images: url, labels: dir.appendingPathComponent("l")),
                        contains: [url.path, "compressed stream"])
    }

    func testHugeHeaderDoesNotOverflow() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("huge")
        try write(bigEndian(0x803) + bigEndian(.max) + bigEndian(.max) + bigEndian(.max), to: url)
        try write(idxLabels([0]), to: dir.appendingPathComponent("l"))
        assertDataError(try IDX.load(images: url, labels: dir.appendingPathComponent("l")), contains: [url.path, "byte 4", "overflow"])
        assertDataError(try IDX.probe(images: url, labels: dir.appendingPathComponent("l")), contains: [url.path, "byte 4", "overflow"])
        // 0xffffffff × 255 × 255 fits an Int but not the memory budget: refused before reading on.
        try write(bigEndian(0x803) + bigEndian(.max) + bigEndian(255) + bigEndian(255), to: url)
        assertDataError(try IDX.probe(images: url, labels: dir.appendingPathComponent("l")), contains: [url.path, "byte 4", "memory budget"])
        try write(bigEndian(0x803) + bigEndian(1000) + bigEndian(1) + bigEndian(1), to: url)
        assertDataError(try IDX.load(images: url, labels: dir.appendingPathComponent("l")),
                        contains: [url.path, "byte 16", "truncated", "needs 1000"])
        assertDataError(try IDX.probe(images: url, labels: dir.appendingPathComponent("l")), contains: [url.path, "byte 16", "truncated"])
    }

    /// The probe (what `eqx check` reads) refuses what the loader refuses: a raw file whose size
    /// differs from its header's, labels out of range, and a damaged or over-long `.gz`.
    func testProbeChecksWhatTheLoaderChecks() throws {
        let dir = try makeTemporaryDirectory(self)
        let images = idxImages(count: 2000, height: 28, width: 28, pixel: { i, k in UInt8((i &* 31 &+ k &* 17) % 251) })
        let labels = dir.appendingPathComponent("l")
        try write(idxLabels([UInt8](repeating: 1, count: 2000)), to: labels)
        let gzURL = dir.appendingPathComponent("i.gz")
        try write(Zlib.gzip(images), to: gzURL)
        XCTAssertEqual(try IDX.probe(images: gzURL, labels: labels), DataProbe(sampleShape: [1, 28, 28], count: 2000, classes: 10))
        var gz = Zlib.gzip(images)
        for i in (gz.count - 200)..<gz.count { gz[i] = 0x55 }
        try write(gz, to: gzURL)
        assertDataError(try IDX.probe(images: gzURL, labels: labels), contains: [gzURL.path, "compressed stream"])
        try write(Zlib.gzip(images + [1, 2, 3]), to: gzURL)
        assertDataError(try IDX.probe(images: gzURL, labels: labels),
                        contains: [gzURL.path + " (decompressed)", "byte \(images.count)", "more than the \(images.count) bytes of its IDX header"])
        let raw = dir.appendingPathComponent("i")
        try write(images + [0], to: raw)
        assertDataError(try IDX.probe(images: raw, labels: labels), contains: [raw.path, "byte \(images.count)", "1 unexpected bytes"])
        try write(images, to: raw)
        try write(idxLabels([UInt8](repeating: 1, count: 1999) + [10]), to: labels)
        assertDataError(try IDX.probe(images: raw, labels: labels), contains: [labels.path, "byte 2007", "label 10"])
    }
}
