/// A measurement of a network on data that cannot be made (empty data, for instance); the executor reports
/// it at the statement that asked for it.
public struct MeasurementError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
