// Representations on whole feature spaces and on layer parameters, as tensor-product gathers.

/// A feature space C × (spatial positions), stored row-major with channels slowest (NCHW without N).
/// The group acts by ρ(g) = (channel permutation) ⊗ (spatial action).
public struct FeatureSpace: Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var representation: ChannelRepresentation
    public var spatial: SpatialDomain

    public init(channels: Int, representation: ChannelRepresentation = .trivial, spatial: SpatialDomain = .none) {
        self.channels = channels
        self.representation = representation
        self.spatial = spatial
    }

    /// channels × spatial.size.
    public var size: Int { channels * spatial.size }

    public var description: String {
        "\(channels) channels (\(representation)) over \(spatial)"
    }
}

extension FiniteGroup {
    /// Throws unless the group acts on the feature space (channel representation and spatial action).
    public func validateAction(on space: FeatureSpace) throws {
        try validate(space.representation, channels: space.channels)
        try validateAction(on: space.spatial)
    }

    /// perm[g] on a feature space: productPermutation([σ_channels, π_spatial]).
    public func featurePermutation(element: Int, on space: FeatureSpace) throws -> [Int] {
        try checkElement(element)
        try validateAction(on: space)
        return productPermutation([
            uncheckedChannelPermutation(element, channels: space.channels, representation: space.representation),
            actionPermutation(element, on: space.spatial),
        ])
    }

    /// perm[g] on a tensor whose index set is factor₁ × factor₂ × … (slowest first): the product of each
    /// factor's permutation — channels under their representation, positions under the spatial action.
    /// Every layer tensor's g·θ is this gather (its factors come from the layer kind's tensor axes).
    public func permutation(element: Int, on factors: [IndexFactor]) throws -> [Int] {
        try checkElement(element)
        var parts: [[Int]] = []
        for factor in factors {
            switch factor {
            case let .channels(count, representation):
                try validate(representation, channels: count)
                parts.append(uncheckedChannelPermutation(element, channels: count, representation: representation))
            case .positions(let domain):
                try validateAction(on: domain)
                parts.append(actionPermutation(element, on: domain))
            }
        }
        return productPermutation(parts)
    }

    /// perm[g] on a C×H×W feature map.
    public func featurePermutation(element: Int, channels: Int, representation: ChannelRepresentation,
                                   height: Int, width: Int) throws -> [Int] {
        try featurePermutation(element: element, on: FeatureSpace(
            channels: channels, representation: representation, spatial: .grid(height: height, width: width)))
    }

    /// perm[g] on a convolution weight [out, in, kh, kw]: g·W = ρ_out(g) W ρ_in(g)⁻¹ with each kernel
    /// transformed, i.e. (g·W)[o, i, q] = W[σ_out[o], σ_in[i], κ[q]] = W[productPermutation([σ_out, σ_in, κ])].
    public func convolutionWeightPermutation(
        element: Int,
        outputChannels: Int, outputRepresentation: ChannelRepresentation,
        inputChannels: Int, inputRepresentation: ChannelRepresentation,
        kernelHeight: Int, kernelWidth: Int
    ) throws -> [Int] {
        try checkElement(element)
        let kernel = SpatialDomain.kernel(height: kernelHeight, width: kernelWidth)
        try validate(outputRepresentation, channels: outputChannels)
        try validate(inputRepresentation, channels: inputChannels)
        try validateAction(on: kernel)
        return productPermutation([
            uncheckedChannelPermutation(element, channels: outputChannels, representation: outputRepresentation),
            uncheckedChannelPermutation(element, channels: inputChannels, representation: inputRepresentation),
            actionPermutation(element, on: kernel),
        ])
    }

    /// perm[g] on a linear weight [output.size, input.size] mapping the flattened input space to the
    /// flattened output space: (g·W)[o, i] = W[ρ_out-gather[o], ρ_in-gather[i]].
    public func linearWeightPermutation(element: Int, output: FeatureSpace, input: FeatureSpace) throws -> [Int] {
        productPermutation([
            try featurePermutation(element: element, on: output),
            try featurePermutation(element: element, on: input),
        ])
    }

    /// perm[g] on a per-channel vector [out] (bias, batch-norm parameters and statistics).
    public func biasPermutation(element: Int, channels: Int, representation: ChannelRepresentation) throws -> [Int] {
        try channelPermutation(element: element, channels: channels, representation: representation)
    }
}
