/// Everything that can go wrong reading, generating, downloading or writing data.
///
/// Every message names the file (or URL) and, for format errors, the byte offset at which the
/// problem was found. When the file was gzip-compressed, offsets of format errors count bytes
/// of the decompressed content and the file is named as `name.gz (decompressed)`.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist (or is not a regular file).
    case missingFile(path: String)
    /// None of the candidate file names was found in a directory.
    case missingFiles(directory: String, tried: [String])
    /// An archive has no member of that name.
    case missingMember(archive: String, member: String, available: [String])
    /// The operating system refused to read or write the file.
    case io(path: String, reason: String)
    /// The leading magic number is not the expected one.
    case badMagic(file: String, offset: Int, expected: String, found: String)
    /// The file ends before a header or record that it announces.
    case truncated(file: String, offset: Int, needed: Int, available: Int)
    /// A label is not in `0..<classes`.
    case labelOutOfRange(file: String, offset: Int, label: Int, classes: Int)
    /// Image and label files disagree on the number of samples.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// zlib rejected the compressed stream.
    case badCompressedStream(file: String, offset: Int, reason: String)
    /// A well-formed file that uses a feature this reader does not support.
    case unsupported(file: String, offset: Int, reason: String)
    /// Any other malformed content (bad header field, unparsable number, inconsistent sizes).
    case malformed(file: String, offset: Int, reason: String)
    /// An input value is nan or ±inf (after conversion to float32): `sample` is its 0-based sample index.
    case nonFinite(file: String, offset: Int, sample: Int, value: Float)
    /// A checksum did not match the published one.
    case checksumMismatch(file: String, algorithm: String, expected: String, found: String)
    /// A download failed (HTTP status, connection error).
    case download(url: String, reason: String)
    /// A caller passed arguments that do not fit the dataset (index out of range, bad fraction...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "\(path): no such file"
        case let .missingFiles(directory, tried):
            return "\(directory): none of \(tried.joined(separator: ", ")) found"
        case let .missingMember(archive, member, available):
            return "\(archive): no member '\(member)' (members: \(available.joined(separator: ", ")))"
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .badMagic(file, offset, expected, found):
            return "\(file): byte \(offset): wrong magic number \(found), expected \(expected)"
        case let .truncated(file, offset, needed, available):
            return "\(file): byte \(offset): truncated: needs \(needed) more bytes, only \(available) left"
        case let .labelOutOfRange(file, offset, label, classes):
            return "\(file): byte \(offset): label \(label) out of range 0..<\(classes)"
        case let .countMismatch(images, imageCount, labels, labelCount):
            return "\(images) has \(imageCount) images but \(labels) has \(labelCount) labels"
        case let .badCompressedStream(file, offset, reason):
            return "\(file): byte \(offset) of the compressed stream: \(reason)"
        case let .unsupported(file, offset, reason):
            return "\(file): byte \(offset): unsupported: \(reason)"
        case let .malformed(file, offset, reason):
            return "\(file): byte \(offset): \(reason)"
        case let .nonFinite(file, offset, sample, value):
            return "\(file): byte \(offset): sample \(sample) holds the non-finite value \(value) (as float32); "
                + "input data must be finite"
        case let .checksumMismatch(file, algorithm, expected, found):
            return "\(file): \(algorithm) checksum \(found) does not match the published \(expected)"
        case let .download(url, reason):
            return "\(url): download failed: \(reason)"
        case let .invalidArgument(reason):
            return reason
        }
    }
}
