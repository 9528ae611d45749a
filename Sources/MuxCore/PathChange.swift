import MuxICE

/// A change of a session's selected pair, logged and counted (`mediamux_ice_selected_pair_changes_total`).
public struct PathChange: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The first nomination.
        case selected
        /// A nomination moved the session to another tuple.
        case switched
        /// A session that had lost its selection selected again on its peer's next valid check.
        case reselected
        /// The selected tuple was dropped: its consent lapsed and another session authenticated it.
        case lost
    }

    public let session: SessionID
    public let kind: Kind
    public let from: FiveTuple?
    public let to: FiveTuple?
}
