import EqxData
import FuzzSupport

/// The input as an `.npy` file: reading the file and parsing its bytes agree, and an array that loads
/// has as many values as its shape says.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let url = scratchFile("x.npy", input)
    let read = expectDataError(naming: url.path) { try NPY.read(url) }
    let parsed = expectDataError(naming: "bytes.npy") { try NPY.parse(input, file: "bytes.npy") }
    if let read {
        guard let parsed else { preconditionFailure("NPY.read accepted what NPY.parse refused") }
        precondition(read.shape == parsed.shape && read.values.elementsEqual(parsed.values) { $0.bitPattern == $1.bitPattern })
        precondition(read.values.count == read.shape.reduce(1, *))
        // As a dataset's inputs: every value finite or a nonFinite error.
        let n = read.shape.first ?? 0
        if n > 0, n <= 4096 {
            let y = scratchFile("y.npy", NPY.encode(shape: [n], values: [Float](repeating: 0, count: n)))
            if let d = expectDataError(naming: url.path, { try Dataset.load(npyInputs: url, labels: y) }) {
                precondition(d.inputs.allSatisfy(\.isFinite))
            }
        }
    }
    return 0
}

runFuzzer { data, size in fuzzOne(data, size) }
