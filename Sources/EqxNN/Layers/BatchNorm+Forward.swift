import EqxIR
import EqxTensor

/// The forward op of `BatchNorm` (EqxIR/Layers/BatchNorm.swift).
extension BatchNorm {
    /// Batch statistics in training (kept in the context until the pass ends), running ones in evaluation.
    func forward<Scalar: TensorScalar>(_ x: VariableOf<Scalar>, layer: Layer, network: NetworkOf<Scalar>, context: inout ForwardContextOf<Scalar>, thenReLU: Bool) throws -> VariableOf<Scalar> {
        var stats = context.statistics[layer.name] ?? runningStatistics(layer: layer, network: network, context: context)
        let weight = context.parameter(layer, "weight"), bias = context.parameter(layer, "bias")
        let training = context.options.training
        let y: VariableOf<Scalar>
        if let orbits = context.options.sharedStatistics[layer.name] {
            y = try orbitBatchNorm(x, orbits: orbits, weight: weight, bias: bias, statistics: &stats, training: training, thenReLU: thenReLU)
        } else if thenReLU {
            y = try batchNormReLU(x, weight: weight, bias: bias, statistics: &stats, training: training)
        } else {
            y = try EqxTensor.batchNorm(x, weight: weight, bias: bias, statistics: &stats, training: training)
        }
        if context.options.training { context.statistics[layer.name] = stats }
        return y
    }

    /// Eval-mode batch norm (then ReLU) from the running statistics in the network's state, as a conv's
    /// epilogue (`Network.inferenceEpilogue`).
    func evaluationEpilogue<Scalar: TensorScalar>(layer: Layer, network: NetworkOf<Scalar>, context: ForwardContextOf<Scalar>,
                                                  thenReLU: Bool) throws -> ChannelEpilogue<Scalar> {
        try .batchNorm(statistics: runningStatistics(layer: layer, network: network, context: context),
                       weight: context.parameter(layer, "weight")?.value,
                       bias: context.parameter(layer, "bias")?.value, relu: thenReLU)
    }

    /// The layer's running statistics as the network's state holds them, with its momentum (none when the
    /// pass re-estimates them cumulatively).
    func runningStatistics<Scalar: TensorScalar>(layer: Layer, network: NetworkOf<Scalar>,
                                                 context: ForwardContextOf<Scalar>) -> BatchNormStatisticsOf<Scalar> {
        var s = BatchNormStatisticsOf<Scalar>(channels: layer.inputShape[0], momentum: momentum.map { Scalar($0) })
        s.runningMean = network.state["\(layer.name).running_mean"]!
        s.runningVariance = network.state["\(layer.name).running_var"]!
        s.batchesTracked = network.batchNormBatches[layer.name] ?? 0
        if context.options.cumulativeBatchNorm { s.momentum = nil }
        return s
    }
}
