// MARK: - States

/// The transport's states, as the playback thread moves between them.
extension PlaybackEngine {
    /// What comes once a fade-out has reached silence.
    enum After {
        case pause, stop, safety
        case seek(Int64)
        /// The device stopped taking sound (a stalled or lost sound server): silent until it
        /// moves again, then on from ``PlaybackEngine/resumeTarget``.
        case interruption
        /// Play on where the position is, fading in (after a hold, see `PlaybackEngine+Adaptation.swift`).
        case play
        /// Skip to this cycle boundary, shortening the cycle before it (`--follow-breath`).
        case shorten(to: Int64)
    }

    enum State {
        case playing
        /// The fade before `after` (a pause, a stop, a safety stop or a skip).
        case fadingOut(After)
        case paused
        /// Held after a `wait` step's cue for `waited` frames; the step ends at `end`.
        case waiting(waited: Int64, end: Int64)
        /// A wait's sound (the ambience) fading out before `after`: leaving a wait never cuts it off.
        case leavingWait(waited: Int64, after: After)
        /// Saying the safety cue, `offset` frames into it; paused after it.
        case safety(offset: Int)
        /// The pacing held at the position for `held` frames of at most `limit`: for an exhale
        /// cue's exhale (`cue`), or a stretch (`PlaybackEngine+Adaptation.swift`).
        case holding(held: Int64, limit: Int64, cue: Bool)
        case finished

        /// Whether the pacing is held for the breath, or leaving such a hold.
        var isHolding: Bool {
            switch self {
            case .holding, .leavingWait(_, .play): true
            default: false
            }
        }

        /// The state as the control side sees it.
        var mode: Mode {
            switch self {
            case .playing, .fadingOut, .holding, .leavingWait(_, .play): .playing
            case .paused: .paused
            case .waiting, .leavingWait: .waiting
            case .safety: .safety
            case .finished: .finished
            }
        }
    }
}
