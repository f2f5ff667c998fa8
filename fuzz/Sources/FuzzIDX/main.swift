import EqxData
import FuzzSupport

/// The input as an IDX image file (with labels to match) and as a label file (with images to match):
/// load and probe must agree — the probe accepts exactly what the loader accepts, with the same shape.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let asImages = scratchFile("images-idx3-ubyte", input)
    let asLabels = scratchFile("labels-idx1-ubyte", input)
    let count = input.count >= 8 ? Int(input[4]) << 24 | Int(input[5]) << 16 | Int(input[6]) << 8 | Int(input[7]) : 0
    let small = min(count, 4096)
    let labels = scratchFile("fixed-labels", [0, 0, 8, 1] + bigEndian(small) + [UInt8](repeating: 3, count: small))
    let images = scratchFile("fixed-images", [0, 0, 8, 3] + bigEndian(small) + bigEndian(1) + bigEndian(1)
                                              + [UInt8](repeating: 7, count: small))
    for (imageFile, labelFile, subject) in [(asImages, labels, asImages), (images, asLabels, asLabels)] {
        let loaded = expectDataError(naming: subject.path) { try IDX.load(images: imageFile, labels: labelFile) }
        let probed = expectDataError(naming: subject.path) { try IDX.probe(images: imageFile, labels: labelFile) }
        precondition((loaded == nil) == (probed == nil), "load and probe disagree on \(subject.lastPathComponent)")
        if let loaded, let probed {
            precondition(probed == DataProbe(sampleShape: loaded.sampleShape, count: loaded.count, classes: loaded.classes))
            precondition(loaded.inputs.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }
    return 0
}

func bigEndian(_ n: Int) -> [UInt8] { [UInt8(n >> 24 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] }

runFuzzer { data, size in fuzzOne(data, size) }
