import Foundation

/// How many bytes one loader may hold for a file's content or for the values decoded from it.
///
/// Every size a file declares (an IDX count, an npy shape, a zip member's size, a gzip stream's
/// output) is checked against the file's real size and against this budget before anything is
/// allocated, so a hostile header ends in a `DataError` instead of an abort in `malloc`.
public enum MemoryBudget {
    /// Half the physical memory: room for the content and the floats decoded from it.
    public static let bytes: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)

    /// The largest output a DEFLATE stream can produce per input byte (zlib's limit is 1032:1),
    /// so a header declaring more than this times the compressed size is a lie.
    static let deflateRatio = 1032

    /// Throws unless `count` items of `itemSize` bytes fit the budget; returns the byte count.
    @discardableResult
    static func check(_ count: Int, itemSize: Int = 1, file: String, offset: Int, what: String) throws -> Int {
        let (total, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard count >= 0, !overflow, total <= bytes else {
            throw DataError.malformed(file: file, offset: offset,
                                      reason: "\(what) needs \(overflow ? "more than \(Int.max)" : String(total)) bytes, "
                                          + "more than the memory budget of \(bytes) bytes")
        }
        return total
    }
}
