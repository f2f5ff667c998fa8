/// A merge whose inputs do not fit (a target of another architecture, matching without data, …); the
/// executor reports it at the merge statement.
public struct MergeError: Error, CustomStringConvertible {
    public var message: String
    public var help: String?
    public init(message: String, help: String? = nil) { self.message = message; self.help = help }
    public var description: String { message + (help.map { " (\($0))" } ?? "") }
}
