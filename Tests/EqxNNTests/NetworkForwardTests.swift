import XCTest
import EqxIR
@testable import EqxNN
import EqxTensor

/// The network interpreter against naive Double loops on tiny conv → activation → pool → linear nets
/// with given weights, loaded under PyTorch's state-dict keys.
final class NetworkForwardTests: XCTestCase {
    /// x [N, C, H, W] as nested Double loops: conv2d (zeros or circular padding, stride), OIHW weights.
    func naiveConv(_ x: [Double], _ xs: [Int], weight: [Double], bias: [Double], out o: Int, k: Int,
                   stride: Int, pad: Int, circular: Bool) -> ([Double], [Int]) {
        let (n, c, h, w) = (xs[0], xs[1], xs[2], xs[3])
        let oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1
        var y = [Double](repeating: 0, count: n * o * oh * ow)
        for b in 0..<n { for oc in 0..<o { for i in 0..<oh { for j in 0..<ow {
            var s = bias[oc]
            for ic in 0..<c { for u in 0..<k { for v in 0..<k {
                var r = i * stride + u - pad, q = j * stride + v - pad
                if circular { r = (r + h) % h; q = (q + w) % w }
                guard r >= 0, r < h, q >= 0, q < w else { continue }
                s += weight[((oc * c + ic) * k + u) * k + v] * x[((b * c + ic) * h + r) * w + q]
            } } }
            y[((b * o + oc) * oh + i) * ow + j] = s
        } } } }
        return (y, [n, o, oh, ow])
    }

    func naivePool(_ x: [Double], _ xs: [Int], k: Int, max: Bool) -> ([Double], [Int]) {
        let (n, c, h, w) = (xs[0], xs[1], xs[2], xs[3])
        let oh = h / k, ow = w / k
        var y = [Double](repeating: 0, count: n * c * oh * ow)
        for b in 0..<n { for ch in 0..<c { for i in 0..<oh { for j in 0..<ow {
            var acc = max ? -Double.infinity : 0
            for u in 0..<k { for v in 0..<k {
                let value = x[((b * c + ch) * h + i * k + u) * w + j * k + v]
                acc = max ? Swift.max(acc, value) : acc + value / Double(k * k)
            } }
            y[((b * c + ch) * oh + i) * ow + j] = acc
        } } } }
        return (y, [n, c, oh, ow])
    }

    func naiveLinear(_ x: [Double], rows n: Int, weight: [Double], bias: [Double], out o: Int) -> [Double] {
        let f = x.count / n
        var y = [Double](repeating: 0, count: n * o)
        for b in 0..<n { for i in 0..<o {
            var s = bias[i]
            for j in 0..<f { s += weight[i * f + j] * x[b * f + j] }
            y[b * o + i] = s
        } }
        return y
    }

    /// Runs `spec` with weights drawn here (not by `Network`'s initialiser) and compares with `reference`.
    func check(_ spec: NetworkSpec, _ name: String,
               reference: (_ x: [Double], _ state: [String: [Double]]) -> [Double]) throws {
        var rng = stream("forward/" + name)
        var state = StateDict()
        for layer in spec.flattenedLayers {
            for (suffix, shape) in layer.parameterShapes {
                state.insert("\(layer.name).\(suffix)", rng.uniformTensor(shape, -0.5, 0.5), trainable: true)
            }
        }
        let network = try Network(spec: spec, state: state)
        let x = randomInput(spec, batch: 3, name)
        let y = try network.forward(x, options: .evaluation).output.value
        let expected = reference(x.scalars.map(Double.init), state.tensors.mapValues { $0.scalars.map(Double.init) })
        XCTAssertEqual(y.shape, [3] + spec.outputShape)
        XCTAssertEqual(y.count, expected.count)
        var worst = 0.0
        for (a, b) in zip(y.scalars, expected) { worst = max(worst, abs(Double(a) - b) / (1 + abs(b))) }
        XCTAssertLessThan(worst, 1e-5, "\(name): network output differs from the naive reference")
    }

    func testConvReluMaxPoolLinearMatchesNaiveLoops() throws {
        let spec = makeSpec("tiny", input: [2, 6, 6], [
            conv("conv1", 3), op("relu1", .relu), op("pool1", .maxPool(kernel: 2, stride: 2)), linear("fc", 4),
        ])
        XCTAssertEqual(spec.outputShape, [4])
        try check(spec, "maxpool") { x, s in
            var (h, hs) = naiveConv(x, [3, 2, 6, 6], weight: s["conv1.weight"]!, bias: s["conv1.bias"]!, out: 3, k: 3,
                                    stride: 1, pad: 1, circular: false)
            h = h.map { max(0, $0) }
            (h, hs) = naivePool(h, hs, k: 2, max: true)
            return naiveLinear(h, rows: 3, weight: s["fc.weight"]!, bias: s["fc.bias"]!, out: 4)
        }
    }

    func testCircularStridedConvTanhAvgPoolFlattenLinearMatchesNaiveLoops() throws {
        let spec = makeSpec("tiny2", input: [1, 8, 8], [
            conv("conv1", 4, stride: 2, circular: true), op("act", .tanh), op("pool", .avgPool(kernel: 2, stride: 2)),
            op("flat", .flatten), linear("fc", 3),
        ])
        XCTAssertEqual(spec.outputShape, [3])
        try check(spec, "circular") { x, s in
            var (h, hs) = naiveConv(x, [3, 1, 8, 8], weight: s["conv1.weight"]!, bias: s["conv1.bias"]!, out: 4, k: 3,
                                    stride: 2, pad: 1, circular: true)
            h = h.map { Foundation.tanh($0) }
            (h, hs) = naivePool(h, hs, k: 2, max: false)
            return naiveLinear(h, rows: 3, weight: s["fc.weight"]!, bias: s["fc.bias"]!, out: 3)
        }
    }

    func testLoadingRejectsMissingMisshapenAndUnexpectedTensors() throws {
        let spec = makeSpec("tiny", input: [1, 4, 4], [conv("conv1", 2), op("flat", .flatten), linear("fc", 2)])
        let good = Network(spec: spec, seed: 1, streamName: "load").state
        XCTAssertNoThrow(try Network(spec: spec, state: good))
        XCTAssertEqual(good.keys, ["conv1.weight", "conv1.bias", "fc.weight", "fc.bias"])

        var missing = StateDict()
        for k in good.keys where k != "fc.bias" { missing.insert(k, good[k]!, trainable: true) }
        XCTAssertThrowsError(try Network(spec: spec, state: missing)) { XCTAssertTrue("\($0)".contains("fc.bias"), "\($0)") }

        var misshapen = good
        misshapen["conv1.weight"] = .zeros([2, 1, 3, 2])
        XCTAssertThrowsError(try Network(spec: spec, state: misshapen)) { XCTAssertTrue("\($0)".contains("conv1.weight"), "\($0)") }

        var extra = good
        extra.insert("conv2.weight", .zeros([1]), trainable: true)
        XCTAssertThrowsError(try Network(spec: spec, state: extra)) { XCTAssertTrue("\($0)".contains("conv2.weight"), "\($0)") }

        let network = try Network(spec: spec, state: good)
        XCTAssertThrowsError(try network.forward(.zeros([2, 1, 4, 5]), options: .evaluation))
    }
}
