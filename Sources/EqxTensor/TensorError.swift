/// Errors raised by tensor operations. Every message names the operation and the offending shapes.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// Two shapes that must agree do not.
    case shapeMismatch(op: String, expected: [Int], got: [Int])
    /// The number of scalars does not match the product of the shape.
    case countMismatch(op: String, shape: [Int], count: Int)
    /// A tensor has the wrong number of dimensions.
    case rankMismatch(op: String, expected: String, got: [Int])
    /// An index (label, gather index, slice bound) is outside its valid range.
    case indexOutOfRange(op: String, index: Int, bound: Int)
    /// An argument is outside the domain of the operation (e.g. stride 0, dropout p = 1).
    case invalidArgument(op: String, message: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, got):
            return "\(op): shape mismatch: expected \(expected), got \(got)"
        case let .countMismatch(op, shape, count):
            return "\(op): \(count) scalars do not fill shape \(shape) (needs \(shape.reduce(1, *)))"
        case let .rankMismatch(op, expected, got):
            return "\(op): expected \(expected), got shape \(got)"
        case let .indexOutOfRange(op, index, bound):
            return "\(op): index \(index) out of range 0..<\(bound)"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        }
    }
}
