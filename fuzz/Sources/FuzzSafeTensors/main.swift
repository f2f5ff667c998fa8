import EqxData
import FuzzSupport

/// The input as a `.safetensors` file: a file that decodes re-encodes to one that decodes to the same
/// tensors, and reading any tensor as floats gives finite values or an error naming the file.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let url = scratchFile("c.safetensors", input)
    guard let contents = expectDataError(naming: url.path, { try SafeTensors.read(url) }) else { return 0 }
    for tensor in contents.tensors.values {
        if let values = expectDataError(naming: url.path, { try tensor.floats() }) {
            precondition(values.count == tensor.shape.reduce(1, *) && values.allSatisfy(\.isFinite))
        }
    }
    guard let again = expectDataError(naming: "again", { try SafeTensors.decode(SafeTensors.encode(contents.tensors, metadata: contents.metadata), file: "again") }) else {
        preconditionFailure("a decoded file does not re-encode")
    }
    precondition(again == contents, "re-encoding changed the contents")
    return 0
}

runFuzzer { data, size in fuzzOne(data, size) }
