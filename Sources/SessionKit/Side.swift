/// A body side, for `sides` blocks and `{side}` in cue ids.
public enum Side: String, CaseIterable, Sendable {
    case left, right

    /// The German word for a step title: `links`, `rechts`.
    public var germanName: String {
        switch self {
        case .left: "links"
        case .right: "rechts"
        }
    }
}

/// Which sides a session massages: the values of its `sides` parameter, and of `--sides`.
public enum SideChoice: String, CaseIterable, Sendable {
    case left, right, both

    /// The sides a `sides` block is played for, in playing order.
    public var sides: [Side] {
        switch self {
        case .left: [.left]
        case .right: [.right]
        case .both: [.left, .right]
        }
    }
}
