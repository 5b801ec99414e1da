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
        case finished

        /// The state as the control side sees it.
        var mode: Mode {
            switch self {
            case .playing, .fadingOut: .playing
            case .paused: .paused
            case .waiting, .leavingWait: .waiting
            case .safety: .safety
            case .finished: .finished
            }
        }
    }
}
