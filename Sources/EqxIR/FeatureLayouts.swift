/// The channels × positions structure of every layer's input and output, without a group: what a merge's
/// permutation axes need (a linear layer after `flatten` sees C channels of H·W positions, not C·H·W values).
extension NetworkSpec {
    public var featureLayouts: [String: (input: FeatureLayout, output: FeatureLayout)] {
        var result: [String: (FeatureLayout, FeatureLayout)] = [:]
        func walk(_ layers: [Layer], from start: FeatureLayout) -> FeatureLayout {
            var current = start
            for layer in layers {
                let input = current
                let ends = layer.branches.map { walk($0, from: input) }
                current = ends.first ?? layer.kind.definition.outputLayout(input: input, output: layer.outputShape)
                result[layer.name] = (input, current)
            }
            return current
        }
        _ = walk(layers, from: FeatureLayout(shape: inputShape))
        return result
    }
}
