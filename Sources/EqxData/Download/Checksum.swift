import Crypto

/// A published checksum of a downloaded file.
public enum Checksum: Equatable, Sendable {
    /// MD5 of the file as downloaded.
    case md5(String)
    /// MD5 of the gunzipped content (robust to mirrors that recompress).
    case md5OfDecompressed(String)
    /// SHA-256 of the file as downloaded.
    case sha256(String)

    /// Throws `checksumMismatch` unless `bytes` (the downloaded file) match.
    public func verify(_ bytes: [UInt8], file: String) throws {
        let (algorithm, expected, found): (String, String, String)
        switch self {
        case let .md5(value):
            (algorithm, expected, found) = ("MD5", value, Checksum.md5Hex(bytes))
        case let .md5OfDecompressed(value):
            (algorithm, expected, found) = ("MD5 (decompressed)", value,
                                            Checksum.md5Hex(try Zlib.gunzip(bytes, file: file)))
        case let .sha256(value):
            (algorithm, expected, found) = ("SHA-256", value, Checksum.sha256Hex(bytes))
        }
        guard found == expected.lowercased() else {
            throw DataError.checksumMismatch(file: file, algorithm: algorithm, expected: expected, found: found)
        }
    }

    public static func md5Hex(_ bytes: [UInt8]) -> String {
        hex(Insecure.MD5.hash(data: bytes))
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
