import EqxTensor

/// A convolution layer of a benchmark network (3×3 kernels).
struct ConvSpec {
    let inChannels, outChannels, padding: Int
    let bias: Bool
}

/// The small MNIST CNN: 3×3 convs without padding 1→32→32, pool, 32→64→64, pool, linear 1024→10.
struct MNISTCNN {
    var parameters: [Tensor]
    static let convs = [ConvSpec(inChannels: 1, outChannels: 32, padding: 0, bias: true),
                        ConvSpec(inChannels: 32, outChannels: 32, padding: 0, bias: true),
                        ConvSpec(inChannels: 32, outChannels: 64, padding: 0, bias: true),
                        ConvSpec(inChannels: 64, outChannels: 64, padding: 0, bias: true)]

    init(rng: inout RandomStream) {
        parameters = []
        for c in Self.convs {
            let shape = [c.outChannels, c.inChannels, 3, 3]
            parameters.append(Initializer.defaultWeight(shape, rng: &rng))
            parameters.append(Initializer.defaultBias(weightShape: shape, rng: &rng))
        }
        parameters.append(Initializer.defaultWeight([10, 1024], rng: &rng))
        parameters.append(Initializer.defaultBias(weightShape: [10, 1024], rng: &rng))
    }

    func forward(_ x: Tensor, _ p: [Variable]) throws -> Variable {
        var h = Variable(x)
        for (i, c) in Self.convs.enumerated() {
            h = relu(try conv2d(h, weight: p[2 * i], bias: p[2 * i + 1], padding: c.padding))
            if i % 2 == 1 { h = try maxPool2d(h, kernel: 2) }
        }
        return try linear(flatten(h), weight: p[8], bias: p[9])
    }

    /// Multiply-adds of one image's forward pass.
    static var multiplyAdds: Int {
        let sizes = [26, 24, 10, 8]
        return zip(convs, sizes).map { $0.inChannels * $0.outChannels * 9 * $1 * $1 }.reduce(0, +) + 1024 * 10
    }
}

/// VGG11 at quarter width for 32×32 inputs: [16, M, 32, M, 64, 64, M, 128, 128, M, 128, 128, M],
/// 3×3 convs (padding 1, no bias) each followed by batch norm and ReLU (fused, as eqx networks run
/// them); linear 128→10.
struct VGG11Quarter {
    static let plan: [Int?] = [16, nil, 32, nil, 64, 64, nil, 128, 128, nil, 128, 128, nil]
    /// Per conv: weight, γ, β; then the linear weight and bias.
    var parameters: [Tensor]
    var statistics: [BatchNormStatistics]

    init(rng: inout RandomStream) {
        parameters = []
        statistics = []
        var channels = 3
        for case let width? in Self.plan {
            parameters.append(Initializer.defaultWeight([width, channels, 3, 3], rng: &rng))
            parameters.append(.filled([width], with: 1))
            parameters.append(.zeros([width]))
            statistics.append(BatchNormStatistics(channels: width))
            channels = width
        }
        parameters.append(Initializer.defaultWeight([10, 128], rng: &rng))
        parameters.append(Initializer.defaultBias(weightShape: [10, 128], rng: &rng))
    }

    mutating func forward(_ x: Tensor, _ p: [Variable], training: Bool) throws -> Variable {
        var h = Variable(x)
        var layer = 0
        for entry in Self.plan {
            if entry == nil {
                h = try maxPool2d(h, kernel: 2)
                continue
            }
            h = try conv2d(h, weight: p[3 * layer], padding: 1)
            h = try batchNormReLU(h, weight: p[3 * layer + 1], bias: p[3 * layer + 2], statistics: &statistics[layer], training: training)
            layer += 1
        }
        return try linear(flatten(h), weight: p[3 * layer], bias: p[3 * layer + 1])
    }

    static var multiplyAdds: Int {
        var total = 0, channels = 3, size = 32
        for entry in plan {
            guard let width = entry else { size /= 2; continue }
            total += channels * width * 9 * size * size
            channels = width
        }
        return total + 128 * 10
    }
}
