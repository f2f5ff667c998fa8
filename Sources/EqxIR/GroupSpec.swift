import EqxGroups

/// The IR's name for a group as a script declares it; the value and everything known about it live in
/// EqxGroups (`SymbolicGroup`), so the checker and the runtime share one model of each group.
public typealias GroupSpec = SymbolicGroup
