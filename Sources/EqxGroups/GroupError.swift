/// Why a group could not be built, or could not act on something.
public enum GroupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Invalid parameters for a group constructor.
    case invalidGroup(String)
    /// An element index outside 0..<order.
    case elementOutOfRange(group: String, element: Int, order: Int)
    /// The group has no action on this domain, e.g. C4 on a 28×26 grid.
    case cannotAct(group: String, domain: String, reason: String)
    /// A domain with non-positive sizes.
    case invalidDomain(String)
    /// A channel representation that does not fit the group or the channel count.
    case invalidChannelRepresentation(String)
    /// An array that should be a permutation but is not.
    case invalidPermutation(String)
    /// An element name that does not name an element of the group.
    case unknownElement(group: String, name: String)
    /// The operation would enumerate more elements than is sensible.
    case tooLargeToEnumerate(group: String, order: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalidGroup(let message), .invalidDomain(let message),
             .invalidChannelRepresentation(let message), .invalidPermutation(let message):
            return message
        case let .elementOutOfRange(group, element, order):
            return "\(group) has elements 0..<\(order), got element \(element)"
        case let .cannotAct(group, domain, reason):
            return "\(group) cannot act on \(domain): \(reason)"
        case let .unknownElement(group, name):
            return "'\(name)' is not an element of \(group)"
        case let .tooLargeToEnumerate(group, order, limit):
            return "\(group) has \(order) elements, more than the \(limit) this operation enumerates; "
                + "use its generators or random elements instead"
        }
    }
}
