import EqxData
import FuzzSupport

/// The input as an `.npz` (zip) archive: every array, the `x`/`y` dataset and its probe.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let url = scratchFile("a.npz", bytes(data, size))
    if let arrays = expectDataError(naming: url.path, { try NPZ.read(url) }) {
        for array in arrays.values { precondition(array.values.count == array.shape.reduce(1, *)) }
    }
    let loaded = expectDataError(naming: url.path) { try Dataset.load(npz: url) }
    let probed = expectDataError(naming: url.path) { try DataSource.npz(url, inputs: "x", labels: "y", classes: nil).probe() }
    precondition((loaded == nil) == (probed == nil), "load and probe disagree")
    if let loaded { precondition(loaded.inputs.allSatisfy(\.isFinite)) }
    return 0
}

runFuzzer { data, size in fuzzOne(data, size) }
