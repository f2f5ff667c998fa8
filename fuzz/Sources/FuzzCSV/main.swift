import EqxData
import FuzzSupport

/// The input as a CSV file, with the label last and with a header naming the label column: a loaded
/// dataset has finite features and its probe agrees.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let url = scratchFile("t.csv", bytes(data, size))
    for options in [CSVOptions(), CSVOptions(label: .name("label"), hasHeader: true), CSVOptions(label: .index(0), delimiter: UInt8(ascii: ";"))] {
        let loaded = expectDataError(naming: url.path) { try CSV.load(url, options: options) }
        let probed = expectDataError(naming: url.path) { try CSV.probe(url, options: options) }
        precondition((loaded == nil) == (probed == nil), "load and probe disagree")
        if let loaded {
            precondition(loaded.inputs.allSatisfy(\.isFinite))
            precondition(probed == DataProbe(sampleShape: loaded.sampleShape, count: loaded.count, classes: loaded.classes))
        }
    }
    return 0
}

runFuzzer { data, size in fuzzOne(data, size) }
