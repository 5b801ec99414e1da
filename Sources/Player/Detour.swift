/// A breath cycle replayed to lengthen a step: `[start, end)` of the timeline, heard again
/// when the play reaches `insertAt` (the end of the cycle it was in).
struct ExtraCycle: Equatable, Sendable {
    var insertAt: Int64
    var start: Int64
    var end: Int64
}

/// The engine's one-cycle extensions (``TransportCommand/extend``), from the `+` until they
/// have been played.
///
/// Thread-safety: a value type, used by the playback thread only.
enum Detour: Equatable {
    /// No extension asked for.
    case none
    /// `count` replays of `cycle` asked for; the play has not reached `cycle.insertAt` yet.
    case ahead(ExtraCycle, count: Int)
    /// The play is inside a replay of `cycle`; `count` replays are left, this one included.
    case inside(ExtraCycle, count: Int)

    /// Whether the play is inside a replayed cycle (its frames are not the timeline's next).
    var isInside: Bool {
        if case .inside = self { true } else { false }
    }

    /// One more replay of the cycle already asked for; `false` (unchanged) when there is none.
    mutating func addReplay() -> Bool {
        switch self {
        case .none: return false
        case let .ahead(cycle, count): self = .ahead(cycle, count: count + 1)
        case let .inside(cycle, count): self = .inside(cycle, count: count + 1)
        }
        return true
    }

    /// A replay has ended: the next one, if any, waits for `insertAt` again.
    mutating func finishReplay() {
        guard case let .inside(cycle, count) = self else { return }
        self = count > 1 ? .ahead(cycle, count: count - 1) : .none
    }
}
