/// Adapts a `RandomStream` to Swift's `RandomNumberGenerator` for library code that takes one.
public struct StreamGenerator: RandomNumberGenerator {
    public var stream: RandomStream
    public init(stream: RandomStream) { self.stream = stream }
    public mutating func next() -> UInt64 { stream.nextUInt64() }
}
