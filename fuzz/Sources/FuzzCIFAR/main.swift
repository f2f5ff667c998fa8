import EqxData
import FuzzSupport

/// The input as a CIFAR-10 batch file (raw or gzip): load and probe agree.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let url = scratchFile("data_batch_1.bin", bytes(data, size))
    let loaded = expectDataError(naming: url.path) { try CIFAR10.load(files: [url, url]) }
    let probed = expectDataError(naming: url.path) { try CIFAR10.probe(files: [url, url]) }
    precondition((loaded == nil) == (probed == nil), "load and probe disagree")
    if let loaded, let probed {
        precondition(probed == DataProbe(sampleShape: loaded.sampleShape, count: loaded.count, classes: loaded.classes))
    }
    return 0
}

runFuzzer { data, size in fuzzOne(data, size) }
