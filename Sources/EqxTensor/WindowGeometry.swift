/// How a convolution sees pixels outside the image.
public enum PaddingMode: String, Sendable {
    /// Pixels outside are 0.
    case zeros
    /// The image wraps around (a torus), as needed for cyclic-translation groups. Needs padding <= H, W.
    case circular
}

/// Index geometry of one 2-D convolution or pooling window sweep.
struct WindowGeometry {
    let n, c, h, w: Int
    let kh, kw, stride, padding: Int
    let oh, ow: Int
    let mode: PaddingMode

    init(op: String, input: [Int], kernel: (Int, Int), stride: Int, padding: Int, mode: PaddingMode) throws {
        guard input.count == 4 else {
            throw TensorError.rankMismatch(op: op, expected: "input [N, C, H, W]", got: input)
        }
        guard stride >= 1, padding >= 0, kernel.0 >= 1, kernel.1 >= 1 else {
            throw TensorError.invalidArgument(op: op, message: "kernel \(kernel.0)x\(kernel.1), stride \(stride), padding \(padding) must be positive (padding >= 0)")
        }
        (n, c, h, w) = (input[0], input[1], input[2], input[3])
        (kh, kw) = kernel
        self.stride = stride
        self.padding = padding
        self.mode = mode
        if mode == .circular && (padding > h || padding > w) {
            throw TensorError.invalidArgument(op: op, message: "circular padding \(padding) exceeds image \(h)x\(w)")
        }
        guard h + 2 * padding >= kh, w + 2 * padding >= kw else {
            throw TensorError.invalidArgument(op: op, message: "kernel \(kh)x\(kw) larger than padded input \(h + 2 * padding)x\(w + 2 * padding) (input \(input))")
        }
        oh = (h + 2 * padding - kh) / stride + 1
        ow = (w + 2 * padding - kw) / stride + 1
    }

    var outputPlane: Int { oh * ow }
    var inputPlane: Int { h * w }
    /// Rows of the im2col matrix: one per (channel, kernel row, kernel column).
    var patchSize: Int { c * kh * kw }
}
