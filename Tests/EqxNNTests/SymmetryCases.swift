import EqxIR
import EqxNN

/// A group acting on a network with a channel action on hidden layers: the configurations every law
/// is checked on. Together they use every layer kind the IR has.
struct SymmetryCase: CustomStringConvertible {
    var group: GroupSpec
    var spec: NetworkSpec
    var hidden: ChannelAction
    /// False when every θ is already in E (e.g. circular convolutions and global pooling under
    /// translations with trivial channels), so a random θ cannot be expected to break the symmetry.
    var randomBreaksSymmetry = true
    /// False when every θ computes an invariant function though not every θ is in E (circular
    /// convolutions and global pooling under translations with regular channels: only the channel
    /// bookkeeping of E differs).
    var randomFunctionIsNotInvariant = true

    var description: String { "\(group) with \(hidden) channels on \(spec.name)" }
}

/// conv (zero padding) → batchnorm → relu → residual(conv, spatial layernorm, tanh) → maxpool → dense →
/// leaky_relu → conv → avgpool → layernorm over all → dropout → flatten → linear → batchnorm [N, C] →
/// sigmoid → linear: for the point groups (mirrors, C4, D4 and their products) on 8×8 images.
func imageNetwork(width c: Int) -> NetworkSpec {
    makeSpec("image(\(c))", input: [2, 8, 8], [
        conv("conv1", c), batchNorm("bn1"), op("relu1", .relu),
        .residual("res1", [conv("res1.conv", c), layerNorm("res1.ln", spatial: true, rank: 3), op("res1.act", .tanh)]),
        op("pool1", .maxPool(kernel: 2, stride: 2)),
        dense("dense1", c), op("act2", .leakyRelu(slope: 0.1)),
        conv("conv2", c, bias: false), op("pool2", .avgPool(kernel: 2, stride: 2)),
        layerNorm("ln2", rank: 3), op("drop", .dropout(0.5)), op("flat", .flatten),
        linear("fc1", c), batchNorm("bn2"), op("sig", .sigmoid), linear("fc2", 3),
    ])
}

/// conv 5×5 → conv 3×3 stride 2 on a 7×7 grid (sampled symmetrically) → global avgpool → linear.
func pooledNetwork(width c: Int) -> NetworkSpec {
    makeSpec("pooled(\(c))", input: [1, 7, 7], [
        conv("conv1", c, k: 5, pad: 2), op("relu1", .relu), conv("conv2", c, stride: 2),
        batchNorm("bn"), op("relu2", .relu), op("gap", .globalAvgPool), linear("fc", 3),
    ])
}

/// Circular convolutions, dense maps and both layer norms on a small torus, with a linear layer
/// applied to the [C, H, W] map directly (it flattens implicitly).
func torusNetwork(width c: Int, size: Int) -> NetworkSpec {
    makeSpec("torus(\(c))", input: [1, size, size], [
        conv("conv1", c, circular: true), batchNorm("bn1"), op("relu1", .relu),
        .residual("res1", [conv("res1.conv", c, circular: true), layerNorm("res1.ln", spatial: true, rank: 3),
                           op("res1.act", .tanh)]),
        dense("dense1", c), layerNorm("ln", rank: 3), op("act", .leakyRelu(slope: 0.2)),
        linear("fc1", c), op("relu2", .relu), linear("fc2", 3),
    ])
}

/// Circular convolutions and global pooling only.
func torusPooledNetwork(width c: Int, size: Int) -> NetworkSpec {
    makeSpec("torus-pooled(\(c))", input: [1, size, size], [
        conv("conv1", c, circular: true), op("relu", .relu), conv("conv2", c, k: 1, pad: 0),
        op("tanh", .tanh), op("gap", .globalAvgPool), linear("fc", 3),
    ])
}

/// Dense maps on n×n adjacency matrices (S_n acts as X ↦ P X Pᵀ), with batch norm, both layer norms,
/// a residual block and an invariant head after flatten.
func graphNetwork(width c: Int, nodes n: Int) -> NetworkSpec {
    makeSpec("graph(\(c))", input: [1, n, n], [
        dense("dense1", c), batchNorm("bn1"), op("relu1", .relu),
        .residual("res1", [dense("res1.dense", c), layerNorm("res1.ln", spatial: true, rank: 3), op("res1.act", .tanh)]),
        layerNorm("ln", rank: 3), dense("dense2", c), op("act", .leakyRelu(slope: 0.1)),
        op("flat", .flatten), linear("fc1", c), op("relu2", .relu), linear("fc2", 3),
    ])
}

/// Dense maps followed by global pooling over the n×n grid.
func graphPooledNetwork(width c: Int, nodes n: Int) -> NetworkSpec {
    makeSpec("graph-pooled(\(c))", input: [1, n, n], [
        dense("dense1", c), op("relu", .relu), dense("dense2", c), op("sig", .sigmoid),
        op("gap", .globalAvgPool), linear("fc", 3),
    ])
}

/// Node features: a vector of length n that S_n permutes.
func nodeVectorNetwork(nodes n: Int) -> NetworkSpec {
    makeSpec("nodes", input: [n], [linear("fc1", 6), batchNorm("bn"), op("relu", .relu), linear("fc2", 3)])
}

func symmetryCases() -> [SymmetryCase] {
    var cases: [SymmetryCase] = []
    let pointGroups: [(GroupSpec, Int)] = [
        (.mirror(.horizontal), 2), (.mirror(.vertical), 2), (.rotations(4), 4), (.dihedral4, 8),
        (.product(.mirror(.horizontal), .mirror(.vertical)), 4),
    ]
    for (g, order) in pointGroups {
        cases.append(SymmetryCase(group: g, spec: imageNetwork(width: 3), hidden: .trivial))
        cases.append(SymmetryCase(group: g, spec: imageNetwork(width: order), hidden: .regular))
        cases.append(SymmetryCase(group: g, spec: pooledNetwork(width: 2 * order), hidden: .regular))
    }
    cases.append(SymmetryCase(group: .rotations(4), spec: pooledNetwork(width: 3), hidden: .trivial))
    cases.append(SymmetryCase(group: .translations(.both), spec: torusNetwork(width: 3, size: 4), hidden: .trivial))
    cases.append(SymmetryCase(group: .translations(.both), spec: torusNetwork(width: 16, size: 4), hidden: .regular))
    cases.append(SymmetryCase(group: .translations(.width), spec: torusNetwork(width: 5, size: 5), hidden: .regular))
    cases.append(SymmetryCase(group: .translations(.height), spec: torusPooledNetwork(width: 4, size: 4), hidden: .regular,
                              randomFunctionIsNotInvariant: false))
    cases.append(SymmetryCase(group: .translations(.both), spec: torusPooledNetwork(width: 3, size: 4), hidden: .trivial,
                              randomBreaksSymmetry: false, randomFunctionIsNotInvariant: false))
    cases.append(SymmetryCase(group: .product(.translations(.width), .translations(.height)),
                              spec: torusNetwork(width: 9, size: 3), hidden: .regular))
    cases.append(SymmetryCase(group: .symmetric(4), spec: graphNetwork(width: 3, nodes: 4), hidden: .trivial))
    cases.append(SymmetryCase(group: .symmetric(4), spec: graphPooledNetwork(width: 24, nodes: 4), hidden: .regular))
    cases.append(SymmetryCase(group: .symmetric(3), spec: graphNetwork(width: 6, nodes: 3), hidden: .regular))
    cases.append(SymmetryCase(group: .symmetric(5), spec: nodeVectorNetwork(nodes: 5), hidden: .trivial))
    return cases
}
