import BreathSensing

// MARK: - Following the breath

/// `--follow-breath`'s changes to the pacing, executed on the playback thread:
///
/// - With a usable breath signal (``TransportCommand/followBreath(_:)``), an exhale cue
///   (``AdaptationPoints/exhaleCues``) waits at its first frame for a detected exhale
///   (``TransportCommand/breathHeard(_:at:)``), up to the length of its cycle; one heard since
///   its cycle began lets it start on time.
/// - A stretch (``TransportCommand/adapt(frames:)`` with a positive count) holds the pacing at
///   the next quiet cycle boundary; a shortening (negative) skips the tail of the cycle before
///   the next boundary whose tail is quiet. Either is at most a fifth of the cycle, and each
///   boundary is changed once, in the step it was asked in.
///
/// A hold sounds as a wait does (the ambience goes on, no tone); it ends by a 20 ms fade of the
/// held ambience (none without ambience), and the pacing goes on where it was held. Everything
/// here is part of the checkpoint, so a take-back renders the same again.
extension PlaybackEngine {
    /// What the playback thread knows about the person's breath, and what it was asked to do.
    struct Following: Equatable {
        /// A usable signal: exhale cues wait for the exhale.
        var enabled = false
        /// Where the play was heard when the last exhale was detected.
        var lastExhale: Int64 = .min
        /// The stretch (positive) or shortening (negative) asked for and not done yet, in frames,
        /// and the step it was asked in: it is done in that step or not at all (a lag heard in
        /// one step says nothing about the next).
        var requested: Int64 = 0
        var requestedStep = -1
        /// The last boundary changed, and the last exhale cue waited at (or let go on time).
        var adaptedAt: Int64 = -1
        var waitedAt: Int64 = -1
    }

    /// What a change of the pacing was.
    public enum AdaptationKind: Int, Sendable {
        /// Held at a cycle boundary (a stretch).
        case held = 1
        /// The tail of a cycle skipped.
        case shortened
        /// An exhale cue waited for the exhale, which came.
        case cueWaited
        /// An exhale cue waited a whole cycle for an exhale that did not come, then went on.
        case cueGaveUp

        public var name: String {
            switch self {
            case .held: "held"
            case .shortened: "shortened"
            case .cueWaited: "waited"
            case .cueGaveUp: "gave-up"
            }
        }
    }

    /// The last change of the pacing: where, what, and by how many frames (negative: shorter).
    public struct Adaptation: Equatable, Sendable {
        public var kind: AdaptationKind
        public var position: Int64
        public var frames: Int64

        package init(kind: AdaptationKind, position: Int64, frames: Int64) {
            self.kind = kind
            self.position = position
            self.frames = frames
        }
    }

    // MARK: Commands

    func applyFollowing(_ command: TransportCommand) {
        switch command {
        case let .followBreath(enabled):
            following.enabled = enabled
            guard !enabled else { return }
            // Without a usable signal nothing changes, not even a change asked for before; a cue
            // waiting for the signal goes on as planned.
            following.requested = 0
            if case let .holding(held, _, true) = state { endHold(held: held, cue: true, heard: false) }
        case let .adapt(frames):
            following.requested = frames
            following.requestedStep = index.step(at: renderer.position)
        case let .breathHeard(phase, position):
            // A breath during a pause, a wait or a safety stop is not the paced breath.
            guard state.mode == .playing else { return }
            if phase == .exhale { following.lastExhale = max(following.lastExhale, position) }
            guard case let .holding(held, _, cue) = state else { return }
            // The exhale ends a cue's wait; the inhale a stretch held at a cycle's start.
            if cue, phase == .exhale { endHold(held: held, cue: true, heard: true) }
            if !cue, phase == .inhale { endHold(held: held, cue: false, heard: true) }
        default:
            return
        }
    }

    // MARK: Render

    /// The next frame at or after `position` where the pacing may change, if any.
    func nextAdaptationPoint(from position: Int64) -> Int64? {
        var next: Int64?
        if following.enabled {
            var cue = TimelineIndex.firstIndex(in: points.exhaleCues, atLeast: position)
            if cue < points.exhaleCues.count, points.exhaleCues[cue] == following.waitedAt { cue += 1 }
            if cue < points.exhaleCues.count { next = points.exhaleCues[cue] }
        }
        if let change = nextBoundaryChange(from: position) {
            next = min(next ?? change.point, change.point)
        }
        return next
    }

    /// Where the asked change happens next: the boundary index, the frame it acts at and by how
    /// many frames (positive: a hold at the boundary; negative: a skip from the frame to it).
    func nextBoundaryChange(from position: Int64) -> (index: Int, point: Int64, frames: Int64)? {
        let asked = following.requested
        guard asked != 0 else { return nil }
        let minimum = Int64(timeline.sampleRate / 20)
        var candidate = TimelineIndex.firstIndex(in: points.boundaries, atLeast: position)
        // A few boundaries ahead at most: the render path searches, it does not scan.
        for _ in 0..<8 {
            guard candidate < points.boundaries.count else { return nil }
            let boundary = points.boundaries[candidate]
            guard index.step(at: boundary) == following.requestedStep else { return nil }
            if boundary != following.adaptedAt {
                if asked > 0, points.boundaryIsQuiet[candidate] {
                    let frames = min(asked, points.maximumStretch(at: candidate))
                    if frames >= minimum { return (candidate, boundary, frames) }
                } else if asked < 0 {
                    let frames = min(-asked, points.boundaryQuietTails[candidate])
                    if frames >= minimum, boundary - frames >= position { return (candidate, boundary - frames, -frames) }
                }
            }
            candidate += 1
        }
        return nil
    }

    /// Starts a change of the pacing at `position` when one is due; returns `true` when it did
    /// (the state changed and no audio was produced).
    func adaptPacing(at position: Int64) -> Bool {
        guard case .playing = state, !detour.isInside else { return false }
        if following.enabled {
            let cue = TimelineIndex.firstIndex(in: points.exhaleCues, atLeast: position)
            if cue < points.exhaleCues.count, points.exhaleCues[cue] == position, following.waitedAt != position {
                following.waitedAt = position
                // An exhale heard since the cycle began: the cue is on time.
                guard following.lastExhale < points.exhaleCueCycleStarts[cue] else { return false }
                state = .holding(held: 0, limit: points.exhaleCueCycleLengths[cue], cue: true)
                return true
            }
        }
        guard let change = nextBoundaryChange(from: position), change.point == position else { return false }
        following.requested = 0
        following.adaptedAt = points.boundaries[change.index]
        if change.frames > 0 {
            state = .holding(held: 0, limit: change.frames, cue: false)
        } else {
            // The skip ends the fade-out it begins: what is skipped is the rest.
            let skipped = -change.frames - Int64(fade.framesToSilence)
            report(.shortened, at: position, frames: -max(0, skipped))
            state = .fadingOut(.shorten(to: points.boundaries[change.index]))
        }
        return true
    }

    /// A hold ends: by the breath heard (`heard`), or at its limit. The pacing goes on where it
    /// was held, after a short fade of the held ambience.
    func endHold(held: Int64, cue: Bool, heard: Bool) {
        let kind: AdaptationKind = cue ? (heard ? .cueWaited : .cueGaveUp) : .held
        report(kind, at: renderer.position, frames: held)
        if renderer.hasAmbience {
            state = .leavingWait(waited: held, after: .play)
        } else {
            state = .playing
        }
    }

    func report(_ kind: AdaptationKind, at position: Int64, frames: Int64) {
        counts.adaptations += 1
        counts.lastAdaptation = Adaptation(kind: kind, position: position, frames: frames)
    }
}
