/// How a group acts on the channels of a hidden feature space (design brief §1).
public enum ChannelAction: String, Hashable, Sendable, Codable {
    /// Every channel fixed: the group only moves pixels.
    case trivial
    /// Channels in blocks of |G|; g permutes inside each block by left multiplication (G-CNN).
    case regular
}
