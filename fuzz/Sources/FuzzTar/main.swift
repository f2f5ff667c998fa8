import EqxData
import FuzzSupport

/// The input as a tar archive: every entry's contents lie inside the archive.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    if let entries = expectDataError(naming: "in.tar", { try Tar.entries(input, file: "in.tar") }) {
        for entry in entries {
            precondition(entry.contents.startIndex >= 512 && entry.contents.endIndex <= input.count)
        }
    }
    return 0
}

runFuzzer { data, size in fuzzOne(data, size) }
