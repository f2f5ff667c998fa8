/// A merge stopped because its `shouldStop` closure said so. A merge has no partial result worth keeping:
/// nothing of it is returned, and running it again gives exactly what an uninterrupted merge gives.
public struct MergeCancelled: Error, Equatable, CustomStringConvertible {
    /// The merge statement's id.
    public var merge: String
    public var description: String { "merge '\(merge)' was stopped before it finished" }
}
