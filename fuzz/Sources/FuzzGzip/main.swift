import EqxData
import FuzzSupport

/// The input as a gzip stream (full and limited inflation agree on a prefix), and as data to compress
/// (gzip then gunzip is the identity).
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let full = expectDataError(naming: "in.gz") { try Zlib.gunzip(input, file: "in.gz") }
    let limit = Int(input.first ?? 0) * 17
    let head = expectDataError(naming: "in.gz") { try Zlib.gunzip(input, file: "in.gz", limit: limit) }
    if let full {
        guard let head else { preconditionFailure("limited inflation failed where full inflation succeeded") }
        precondition(head.count == min(limit, full.count) && full.starts(with: head))
    }
    precondition(try! Zlib.gunzip(Zlib.gzip(input), file: "round.gz") == input, "gzip round trip")
    return 0
}

runFuzzer { data, size in fuzzOne(data, size) }
