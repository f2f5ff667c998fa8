import XCTest
import EqxIR
import EqxNN
import EqxTensor

/// In an inference pass a conv followed by batch norm (and ReLU) applies them as it writes its output
/// (`ChannelEpilogue`). The result must be bit-identical to the layers run one by one, which a pass that
/// captures every layer's output does, on every conv path (per thread, one image per chunk or several;
/// the batched path for a batch smaller than the thread count).
final class InferenceEpilogueTests: XCTestCase {
    let spec = makeSpec("epilogue", input: [3, 12, 12], [
        conv("conv1", 8), batchNorm("bn1"), op("relu1", .relu),
        conv("conv2", 6, bias: false), batchNorm("bn2"),
        conv("conv3", 5, k: 1, pad: 0), batchNorm("bn3"), op("relu3", .relu), op("pool", .maxPool(kernel: 2, stride: 2)),
        op("flat", .flatten), linear("fc", 4),
    ])

    func testFusedInferenceIsBitIdenticalToTheLayersOneByOne() throws {
        let saved = ComputeThreads.count
        defer { ComputeThreads.count = saved }
        let network = try Network(spec: spec, state: randomState(spec, "epilogue"))
        let every = Set(spec.flattenedLayers.map(\.name))
        for threads in [1, 2] {
            ComputeThreads.count = threads
            for batch in [1, 3, 40] {
                let x = randomInput(spec, batch: batch, "epilogue/\(batch)")
                let fused = try network.forward(x, options: .evaluation)
                let apart = try network.forward(x, options: ForwardOptions(training: false, gradients: false, capture: every))
                XCTAssertEqual(fused.output.value.scalars.map(\.bitPattern), apart.output.value.scalars.map(\.bitPattern),
                               "batch \(batch), \(threads) threads")
                // Capturing only the ReLU's output still fuses, and captures the same values.
                let relu = try network.forward(x, options: ForwardOptions(training: false, gradients: false, capture: ["relu1"]))
                XCTAssertEqual(relu.activations["relu1"], apart.activations["relu1"])
                XCTAssertEqual(relu.output.value, fused.output.value)
            }
        }
    }

    func testTheEpilogueRefusesGradientsAndMisshapenParameters() throws {
        let x = Variable(randomTensor4([2, 3, 5, 5]), requiresGrad: true)
        let w = Variable(randomTensor4([4, 3, 3, 3]))
        let epilogue = try ChannelEpilogue<Float>(scale: [1, 2, 3, 4], shift: [0, 0, 0, 0], relu: true)
        XCTAssertThrowsError(try conv2d(x, weight: w, padding: 1, epilogue: epilogue))
        XCTAssertNoThrow(try Gradients.disabled { try conv2d(x, weight: w, padding: 1, epilogue: epilogue) })
        let three = try ChannelEpilogue<Float>(scale: [1, 2, 3], shift: [0, 0, 0], relu: false)
        XCTAssertThrowsError(try Gradients.disabled { try conv2d(Variable(x.value), weight: w, epilogue: three) })
        XCTAssertThrowsError(try ChannelEpilogue<Float>(scale: [1], shift: [], relu: false))
    }

    func randomTensor4(_ shape: [Int]) -> Tensor {
        var rng = stream("epilogue/" + shape.map(String.init).joined(separator: "x"))
        return rng.uniformTensor(shape, -1, 1)
    }
}
