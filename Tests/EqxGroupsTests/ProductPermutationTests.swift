import EqxTestSupport
import XCTest
import EqxGroups

final class ProductPermutationTests: XCTestCase {
    func testProductPermutationIsRowMajorGather() {
        let f0 = [1, 0], f1 = [2, 0, 1], f2 = [0, 3, 1, 2]
        let product = productPermutation([f0, f1, f2])
        XCTAssertEqual(product.count, 24)
        XCTAssertTrue(isPermutation(product))
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<4 {
                    XCTAssertEqual(product[(i * 3 + j) * 4 + k], (f0[i] * 3 + f1[j]) * 4 + f2[k])
                }
            }
        }
        XCTAssertEqual(productPermutation([]), [0])
        XCTAssertEqual(productPermutation([f1]), f1)
    }

    /// Multi-channel "same" convolution, weight [out, in, k, k], input [in, n, n].
    private func convolve(_ x: [Double], inputs: Int, n: Int, weight: [Double], outputs: Int, k: Int) -> [Double] {
        var y = [Double](repeating: 0, count: outputs * n * n)
        for o in 0..<outputs {
            for i in 0..<inputs {
                let kernel = Array(weight[((o * inputs + i) * k * k)..<((o * inputs + i + 1) * k * k)])
                let plane = Array(x[(i * n * n)..<((i + 1) * n * n)])
                let part = naiveConvolution(plane, height: n, width: n, kernel: kernel, kernelHeight: k,
                                            kernelWidth: k, circular: false)
                for p in 0..<(n * n) { y[o * n * n + p] += part[p] }
            }
        }
        return y
    }

    /// conv(ρ_in(g)x, g·W) = ρ_out(g) conv(x, W), with g·W the gather by convolutionWeightPermutation.
    func testConvolutionWeightPermutationGivesEquivariance() throws {
        let d4 = FiniteGroup.dihedral
        var rng = SplitMix64(seed: 31)
        let (n, k) = (5, 3)
        let cases: [(Int, ChannelRepresentation, Int, ChannelRepresentation)] = [
            (8, .regular, 16, .regular), (2, .trivial, 8, .regular), (8, .regular, 3, .trivial), (2, .trivial, 3, .trivial),
        ]
        for (inputs, inRep, outputs, outRep) in cases {
            let x = randomIntegers(inputs * n * n, &rng)
            let weight = randomIntegers(outputs * inputs * k * k, &rng)
            let y = convolve(x, inputs: inputs, n: n, weight: weight, outputs: outputs, k: k)
            for g in d4.elements {
                let inPerm = try d4.featurePermutation(element: g, channels: inputs, representation: inRep,
                                                       height: n, width: n)
                let outPerm = try d4.featurePermutation(element: g, channels: outputs, representation: outRep,
                                                        height: n, width: n)
                let weightPerm = try d4.convolutionWeightPermutation(
                    element: g, outputChannels: outputs, outputRepresentation: outRep,
                    inputChannels: inputs, inputRepresentation: inRep, kernelHeight: k, kernelWidth: k)
                let transformed = convolve(gather(x, inPerm), inputs: inputs, n: n,
                                           weight: gather(weight, weightPerm), outputs: outputs, k: k)
                XCTAssertEqual(transformed, gather(y, outPerm), "\(inRep)→\(outRep), \(d4.name(of: g))")
            }
        }
    }

    /// W(ρ_in(g)x) for the gathered weight equals ρ_out(g)(W x), and biases transform like outputs.
    func testLinearAndBiasPermutations() throws {
        let group = try FiniteGroup.semidirectProduct(translations: .translations(rows: 2, columns: 2),
                                                      point: .horizontalMirror)
        var rng = SplitMix64(seed: 32)
        let input = FeatureSpace(channels: 3, representation: .trivial, spatial: .grid(height: 4, width: 4))
        let output = FeatureSpace(channels: 16, representation: .regular)
        let weight = randomIntegers(output.size * input.size, &rng)
        let bias = randomIntegers(output.size, &rng)
        let x = randomIntegers(input.size, &rng)
        func apply(_ w: [Double], _ b: [Double], _ v: [Double]) -> [Double] {
            (0..<output.size).map { o in b[o] + (0..<input.size).reduce(0) { $0 + w[o * input.size + $1] * v[$1] } }
        }
        let y = apply(weight, bias, x)
        for g in group.elements {
            let w = gather(weight, try group.linearWeightPermutation(element: g, output: output, input: input))
            let b = gather(bias, try group.biasPermutation(element: g, channels: 16, representation: .regular))
            let gx = gather(x, try group.featurePermutation(element: g, on: input))
            XCTAssertEqual(apply(w, b, gx), gather(y, try group.featurePermutation(element: g, on: output)))
        }
    }

    func testFeaturePermutationErrors() throws {
        let space = FeatureSpace(channels: 6, representation: .regular, spatial: .grid(height: 4, width: 4))
        XCTAssertThrowsError(try FiniteGroup.rotations.featurePermutation(element: 1, on: space)) {
            XCTAssertTrue("\($0)".contains("divisible by |C4| = 4, got 6"), "\($0)")
        }
        XCTAssertThrowsError(try FiniteGroup.rotations.convolutionWeightPermutation(
            element: 1, outputChannels: 4, outputRepresentation: .regular, inputChannels: 1,
            inputRepresentation: .trivial, kernelHeight: 3, kernelWidth: 1))
    }
}
