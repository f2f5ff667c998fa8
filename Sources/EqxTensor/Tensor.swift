/// The default precision: every existing API name means Float32.
public typealias Tensor = TensorOf<Float>

/// A dense tensor of Float32 (`Tensor`) or Float64 (`Tensor64`) scalars: a shape and contiguous row-major scalars.
///
/// Layouts follow PyTorch so checkpoints interoperate: NCHW activations, OIHW convolution weights,
/// [out, in] linear weights. Storage is a Swift array, so copies are cheap and copy-on-write.
public struct TensorOf<Scalar: TensorScalar>: Equatable, CustomStringConvertible {
    /// Extent of each dimension; `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The scalars in row-major order; `scalars.count == shape.reduce(1, *)`.
    @inlinable public var scalars: [Scalar] { storage }
    @usableFromInline var storage: [Scalar]

    /// Wraps `scalars` without checking; callers guarantee the count.
    @usableFromInline
    init(uncheckedShape shape: [Int], scalars: [Scalar]) {
        self.shape = shape
        self.storage = scalars
    }

    /// A tensor of the given shape and scalars; throws if the count does not fill the shape.
    @inlinable
    public init(shape: [Int], scalars: [Scalar]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: "Tensor(shape:scalars:)", message: "negative extent in shape \(shape)")
        }
        guard TensorOf<Scalar>.elementCount(shape) == scalars.count else {
            throw TensorError.countMismatch(op: "Tensor(shape:scalars:)", shape: shape, count: scalars.count)
        }
        self.init(uncheckedShape: shape, scalars: scalars)
    }

    /// A tensor of zeros.
    @inlinable
    public static func zeros(_ shape: [Int]) -> TensorOf<Scalar> {
        TensorOf<Scalar>(uncheckedShape: shape, scalars: [Scalar](repeating: 0, count: elementCount(shape)))
    }

    /// A tensor of zeros, filled by all compute threads (for large gradient buffers).
    static func zerosInParallel(_ shape: [Int]) -> TensorOf<Scalar> {
        TensorOf<Scalar>(shape: shape) { out in
            let base = out.baseAddress
            parallelFor(out.count, cost: 1) { r in (base! + r.lowerBound).update(repeating: 0, count: r.count) }
        }
    }

    /// A tensor with every scalar equal to `value`.
    @inlinable
    public static func filled(_ shape: [Int], with value: Scalar) -> TensorOf<Scalar> {
        TensorOf<Scalar>(uncheckedShape: shape, scalars: [Scalar](repeating: value, count: elementCount(shape)))
    }

    /// A rank-0 tensor.
    @inlinable
    public init(scalar: Scalar) {
        self.init(uncheckedShape: [], scalars: [scalar])
    }

    /// A rank-1 tensor holding `scalars`.
    @inlinable
    public init(_ scalars: [Scalar]) {
        self.init(uncheckedShape: [scalars.count], scalars: scalars)
    }

    /// A tensor whose scalars are written by `body` into uninitialised storage of the right size.
    @inlinable
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Scalar>) throws -> Void) rethrows {
        let n = TensorOf<Scalar>.elementCount(shape)
        let s = try [Scalar](unsafeUninitializedCapacity: n) { buffer, initialized in
            try body(buffer)
            initialized = n
        }
        self.init(uncheckedShape: shape, scalars: s)
    }

    @inlinable
    static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Number of scalars.
    @inlinable public var count: Int { scalars.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// The single scalar of a one-element tensor (any shape), or nil.
    @inlinable
    public var scalar: Scalar? { scalars.count == 1 ? scalars[0] : nil }

    /// Flat (row-major) element access.
    @inlinable
    public subscript(flat index: Int) -> Scalar {
        get { scalars[index] }
        set { storage[index] = newValue }
    }

    /// Element access by multi-index; traps on a wrong index (use for tests and small tensors).
    public subscript(_ index: Int...) -> Scalar {
        get { scalars[flatIndex(index)] }
        set { storage[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var flat = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "index \(index) out of range for shape \(shape)")
            flat = flat * extent + i
        }
        return flat
    }

    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// The same scalars viewed with a new shape of equal element count. One extent may be -1 (inferred).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reshaped(_ newShape: [Int]) throws -> TensorOf<Scalar> {
        let resolved = try TensorOf<Scalar>.resolve(newShape, count: count, op: "reshaped")
        return TensorOf<Scalar>(uncheckedShape: resolved, scalars: scalars)
    }

    static func resolve(_ newShape: [Int], count: Int, op: String) throws -> [Int] {
        let inferred = newShape.filter { $0 == -1 }.count
        guard inferred <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError.invalidArgument(op: op, message: "bad target shape \(newShape)")
        }
        var resolved = newShape
        if inferred == 1 {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw TensorError.countMismatch(op: op, shape: newShape, count: count)
            }
            resolved[newShape.firstIndex(of: -1)!] = count / known
        }
        guard elementCount(resolved) == count else {
            throw TensorError.countMismatch(op: op, shape: newShape, count: count)
        }
        return resolved
    }

    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "\(Scalar.self == Float.self ? "Tensor" : "Tensor64")(shape: \(shape), scalars: [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
