import EqxTestSupport
import XCTest
import EqxGroups

/// Single-channel stride-1 cross-correlation (PyTorch's conv) with "same" padding: zero padding of
/// (k−1)/2 on each side for odd kernels, or circular padding.
func naiveConvolution(_ x: [Double], height: Int, width: Int, kernel: [Double], kernelHeight: Int,
                      kernelWidth: Int, circular: Bool) -> [Double] {
    var y = [Double](repeating: 0, count: height * width)
    let (ch, cw) = (kernelHeight / 2, kernelWidth / 2)
    for h in 0..<height {
        for w in 0..<width {
            var sum = 0.0
            for a in 0..<kernelHeight {
                for b in 0..<kernelWidth {
                    var (i, j) = (h + a - ch, w + b - cw)
                    if circular {
                        (i, j) = ((i + height) % height, (j + width) % width)
                    } else if i < 0 || i >= height || j < 0 || j >= width {
                        continue
                    }
                    sum += kernel[a * kernelWidth + b] * x[i * width + j]
                }
            }
            y[h * width + w] = sum
        }
    }
    return y
}

final class KernelActionTests: XCTestCase {
    /// conv(g·x, g·K) = g·conv(x, K) exactly (integer data), for every element.
    private func checkEquivariance(_ group: FiniteGroup, height: Int, width: Int, kernelHeight: Int,
                                   kernelWidth: Int, circular: Bool, seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let x = randomIntegers(height * width, &rng)
        let kernel = randomIntegers(kernelHeight * kernelWidth, &rng)
        for g in group.elements {
            let pixels = try group.pixelPermutation(element: g, height: height, width: width)
            let kernelPerm = try group.kernelPermutation(element: g, height: kernelHeight, width: kernelWidth)
            let left = naiveConvolution(gather(x, pixels), height: height, width: width,
                                        kernel: gather(kernel, kernelPerm), kernelHeight: kernelHeight,
                                        kernelWidth: kernelWidth, circular: circular)
            let right = gather(naiveConvolution(x, height: height, width: width, kernel: kernel,
                                                kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                                circular: circular), pixels)
            XCTAssertEqual(left, right, "\(group) element \(group.name(of: g))")
        }
    }

    func testPointGroupsTransformKernelsGeometrically() throws {
        try checkEquivariance(.dihedral, height: 6, width: 6, kernelHeight: 3, kernelWidth: 3, circular: false, seed: 1)
        try checkEquivariance(.dihedral, height: 7, width: 7, kernelHeight: 5, kernelWidth: 5, circular: false, seed: 2)
        try checkEquivariance(.rotations, height: 5, width: 5, kernelHeight: 3, kernelWidth: 3, circular: true, seed: 3)
        try checkEquivariance(.horizontalMirror, height: 6, width: 7, kernelHeight: 3, kernelWidth: 5,
                              circular: false, seed: 4)
        try checkEquivariance(.verticalMirror, height: 6, width: 7, kernelHeight: 5, kernelWidth: 1,
                              circular: false, seed: 5)
    }

    func testTranslationsLeaveKernelsAloneUnderCircularPadding() throws {
        let translations = try FiniteGroup.translations(rows: 6, columns: 4)
        XCTAssertEqual(try translations.kernelPermutation(element: 7, height: 3, width: 3), Array(0..<9))
        try checkEquivariance(translations, height: 6, width: 8, kernelHeight: 3, kernelWidth: 3, circular: true, seed: 6)
        let torus = try FiniteGroup.semidirectProduct(translations: .translations(rows: 5, columns: 5), point: .dihedral)
        try checkEquivariance(torus, height: 5, width: 5, kernelHeight: 3, kernelWidth: 3, circular: true, seed: 7)
    }

    func testKernelTransformIsTheImageTransform() throws {
        // The kernel action is the same geometric map as on images, about the kernel centre.
        let kernel: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let r = try FiniteGroup.dihedral.kernelPermutation(element: 1, height: 3, width: 3)
        XCTAssertEqual(image(gather(kernel, r), height: 3, width: 3), explicitRot90(image(kernel, height: 3, width: 3)))
        let m = try FiniteGroup.dihedral.kernelPermutation(element: 4, height: 3, width: 3)
        XCTAssertEqual(gather(kernel, m), [3, 2, 1, 6, 5, 4, 9, 8, 7])
    }

    func testSymmetricGroupHasNoKernelAction() throws {
        XCTAssertThrowsError(try FiniteGroup.symmetric(3).kernelPermutation(element: 1, height: 3, width: 3)) {
            XCTAssertTrue("\($0)".contains("does not act on convolution kernels"), "\($0)")
        }
    }
}
