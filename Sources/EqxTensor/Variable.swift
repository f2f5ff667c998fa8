/// The Float32 autodiff node (the default precision).
public typealias Variable = VariableOf<Float>

/// A node of a reverse-mode autodiff graph: a value, its gradient, and how to push a gradient to its inputs.
///
/// The graph is the web of `inputs` references built by one forward pass; there is no global tape, so
/// independent graphs coexist freely. An op records inputs and a backward closure only when some input
/// requires a gradient and gradients are enabled (`Gradients.isEnabled`), so evaluation with constant
/// parameters or inside `Gradients.disabled { }` records nothing.
public final class VariableOf<Scalar: TensorScalar> {
    /// The forward value. Keep a reference to read intermediate activations after a forward pass.
    public let value: TensorOf<Scalar>
    /// The accumulated gradient of the loss with respect to `value`; filled by `backward()` for leaves
    /// that require gradients (and for non-leaves whose `retainsGrad` is set).
    public var grad: TensorOf<Scalar>?
    /// Whether gradients flow to (or through) this node.
    public let requiresGrad: Bool
    /// A human name (e.g. "conv1.weight") used in error messages.
    public var label: String?
    /// Keep `grad` on an intermediate node after `backward()` (leaves always keep it).
    public var retainsGrad = false

    let inputs: [VariableOf<Scalar>]
    /// Maps the gradient of this node to gradients of `inputs` (nil where an input needs none).
    let pullback: ((TensorOf<Scalar>) throws -> [TensorOf<Scalar>?])?

    /// A leaf: a constant input (`requiresGrad: false`) or a parameter (`requiresGrad: true`).
    public init(_ value: TensorOf<Scalar>, requiresGrad: Bool = false, label: String? = nil) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.label = label
        self.inputs = []
        self.pullback = nil
    }

    init(value: TensorOf<Scalar>, inputs: [VariableOf<Scalar>], pullback: @escaping (TensorOf<Scalar>) throws -> [TensorOf<Scalar>?]) {
        self.value = value
        self.requiresGrad = true
        self.inputs = inputs
        self.pullback = pullback
    }

    /// A constant with the same value: gradients stop here (PyTorch `detach`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func detached() -> VariableOf<Scalar> { VariableOf<Scalar>(value, label: label) }

    /// Shape of `value`.
    public var shape: [Int] { value.shape }
    /// True for nodes created directly rather than by an op.
    public var isLeaf: Bool { pullback == nil }

    /// Name for messages: the label, or the shape.
    var displayName: String { label.map { "'\($0)'" } ?? "\(shape)" }

    /// Builds the result of an op: records the graph edge only if some input requires a gradient.
    static func make(_ value: TensorOf<Scalar>, inputs: [VariableOf<Scalar>], pullback: @escaping (TensorOf<Scalar>) throws -> [TensorOf<Scalar>?]) -> VariableOf<Scalar> {
        if Gradients.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            return VariableOf<Scalar>(value: value, inputs: inputs, pullback: pullback)
        }
        return VariableOf<Scalar>(value)
    }

    /// Back-propagates from this scalar (one-element) node: fills `grad` on every leaf that requires it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward() throws {
        guard value.count == 1 else {
            throw TensorError.invalidArgument(op: "backward", message: "loss must have one element, got shape \(shape); use backward(seed:)")
        }
        try backward(seed: TensorOf<Scalar>.filled(value.shape, with: 1))
    }

    /// Back-propagates `seed` (the gradient of some scalar with respect to this node's value).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(seed: TensorOf<Scalar>) throws {
        guard seed.shape == value.shape else {
            throw TensorError.shapeMismatch(op: "backward(seed:)", expected: value.shape, got: seed.shape)
        }
        guard requiresGrad else { return }
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: TensorOf<Scalar>] = [ObjectIdentifier(self): seed]
        for node in order {
            guard let g = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            if node.isLeaf || node.retainsGrad {
                if node.grad == nil { node.grad = g } else { try node.grad!.add(g) }
            }
            guard let pullback = node.pullback else { continue }
            let inputGrads = try pullback(g)
            precondition(inputGrads.count == node.inputs.count, "pullback returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
            for (input, ig) in zip(node.inputs, inputGrads) {
                guard input.requiresGrad, let ig else { continue }
                let key = ObjectIdentifier(input)
                if var acc = pending.removeValue(forKey: key) {
                    try acc.add(ig)
                    pending[key] = acc
                } else {
                    pending[key] = ig
                }
            }
        }
    }

    /// Nodes reachable from self that require gradients, each after every node that consumes it.
    private func topologicalOrder() -> [VariableOf<Scalar>] {
        var visited = Set<ObjectIdentifier>()
        var postorder: [VariableOf<Scalar>] = []
        var stack: [(VariableOf<Scalar>, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.inputs.count {
                stack.append((node, next + 1))
                let child = node.inputs[next]
                if child.requiresGrad && visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                postorder.append(node)
            }
        }
        return postorder.reversed()
    }
}

/// Switches graph recording off for a scope (per thread/task), e.g. for evaluation.
public enum Gradients {
    @TaskLocal static var enabledFlag = true

    /// Whether ops currently record graph edges.
    public static var isEnabled: Bool { enabledFlag }

    /// Runs `body` with recording off: every op returns a constant Variable.
    public static func disabled<R>(_ body: () throws -> R) rethrows -> R {
        try $enabledFlag.withValue(false, operation: body)
    }
}
