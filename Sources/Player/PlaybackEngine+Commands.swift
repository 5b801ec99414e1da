import Foundation

// MARK: - Commands

/// What each ``TransportCommand`` does to the engine's state, on the playback thread at the
/// start of a block (see `CommandQueue.swift` for the order they come in).
extension PlaybackEngine {
    func apply(_ command: TransportCommand) {
        switch command {
        case .pause: pause()
        case .resume: resume()
        case .toggle:
            switch state {
            case .paused where !interrupted: resume()
            default: pause()
            }
        case .next: skip(to: nextStepStart())
        case .back: skip(to: previousStepStart())
        case .extend: extend()
        case .continueWait:
            if case let .waiting(waited, end) = state { passWait(to: end, waited: waited) }
        case .safety: safetyStop()
        case let .volume(decibels):
            volumeDecibels = min(Self.volumeRange.upperBound, max(Self.volumeRange.lowerBound, volumeDecibels + decibels))
            volume.target = Float(Foundation.pow(10, volumeDecibels / 20))
        case .stop: stop()
        case .followBreath, .breathHeard, .adapt: applyFollowing(command)
        }
    }

    private func pauseTarget() -> Int64 {
        if case let .inside(cycle, _) = detour { return cycle.start }
        return index.resumePoint(for: renderer.position)
    }

    private func pause() {
        switch state {
        case .playing, .fadingOut(.shorten):
            resumeTarget = pauseTarget()
            state = .fadingOut(.pause)
        case let .waiting(waited, _):
            resumeTarget = renderer.position
            state = .leavingWait(waited: waited, after: .pause)
        case let .holding(held, _, _), let .leavingWait(held, .play):
            resumeTarget = pauseTarget()
            state = .leavingWait(waited: held, after: .pause)
        case .fadingOut(.interruption):
            state = .fadingOut(.pause)
        case let .leavingWait(waited, .interruption):
            state = .leavingWait(waited: waited, after: .pause)
        case .paused where interrupted:
            // Paused by the person while the device was away: it stays paused when the device is back.
            interrupted = false
            counts.pauses += 1
        default:
            return
        }
    }

    private func resume() {
        // A resume during the pause's fade-out cancels the pause: the level ramps back up.
        if case .fadingOut(.pause) = state {
            state = .playing
            return
        }
        guard case .paused = state, !interrupted else { return }
        playFromResumeTarget()
        counts.resumes += 1
    }

    private func playFromResumeTarget() {
        if case let .inside(cycle, _) = detour, resumeTarget >= cycle.start, resumeTarget < cycle.end {
            renderer.seek(to: resumeTarget)
        } else {
            seek(to: resumeTarget)
        }
        startFadeIn()
        state = .playing
    }

    // MARK: - The device stops taking sound

    /// The device stopped taking sound (a stalled or lost sound server): the play is silent at
    /// once (what the device still holds is taken back or gone), and goes on from the start of
    /// the interrupted breath cycle or cue after ``endInterruption()``, as after a pause. A
    /// pause, a stop, a skip or a safety stop under way is left to finish.
    /// Call on the playback thread only, between renders.
    /// - Parameter fading: fade out first (the device plays again, and what it still holds
    ///   leads into the fade), rather than fall silent at once.
    public func interrupt(fading: Bool = false) {
        interruptionOver = false
        switch state {
        case .playing, .fadingOut(.interruption), .fadingOut(.shorten):
            resumeTarget = pauseTarget()
            state = .fadingOut(.interruption)
        case let .waiting(waited, _):
            resumeTarget = renderer.position
            state = .leavingWait(waited: waited, after: .interruption)
        case let .holding(held, _, _), let .leavingWait(held, .play):
            resumeTarget = pauseTarget()
            state = .leavingWait(waited: held, after: .interruption)
        default:
            return
        }
        guard !fading else { return }
        fade.level = 0
        complete(.interruption)
    }

    /// The device takes sound again: an interrupted play fades in from where it stopped.
    /// Call on the playback thread only, between renders.
    public func endInterruption() {
        interruptionOver = true
        if case .paused = state, interrupted { resumeAfterInterruption() }
    }

    func resumeAfterInterruption() {
        interrupted = false
        interruptionOver = false
        playFromResumeTarget()
    }

    private func safetyStop() {
        switch state {
        case .finished, .safety, .fadingOut(.stop), .leavingWait(_, .stop): return
        case .playing, .fadingOut:
            resumeTarget = pauseTarget()
            state = .fadingOut(.safety)
        case let .waiting(waited, _):
            resumeTarget = renderer.position
            state = .leavingWait(waited: waited, after: .safety)
        case let .holding(held, _, _), let .leavingWait(held, .play):
            resumeTarget = pauseTarget()
            state = .leavingWait(waited: held, after: .safety)
        case let .leavingWait(waited, _):
            state = .leavingWait(waited: waited, after: .safety)
        case .paused:
            interrupted = false
            state = .safety(offset: 0)
            counts.safetyStops += 1
        }
    }

    private func stop() {
        switch state {
        case .playing, .fadingOut: state = .fadingOut(.stop)
        case let .waiting(waited, _), let .leavingWait(waited, _), let .holding(waited, _, _):
            state = .leavingWait(waited: waited, after: .stop)
        case .finished: return
        default: finish(completed: false)
        }
    }

    private func skip(to position: Int64) {
        // A stop under way stays a stop.
        if case .fadingOut(.stop) = state { return }
        if case .leavingWait(_, .stop) = state { return }
        counts.skips += 1
        switch state {
        case .playing, .fadingOut: state = .fadingOut(.seek(position))
        case .paused: resumeTarget = position
        case let .waiting(waited, _), let .leavingWait(waited, _), let .holding(waited, _, _):
            state = .leavingWait(waited: waited, after: .seek(position))
        case .safety:
            seek(to: position)
            startFadeIn()
            state = .playing
        case .finished: return
        }
    }

    private func nextStepStart() -> Int64 {
        let current = index.step(at: currentPosition)
        return current + 1 < index.stepStarts.count ? index.stepStarts[current + 1] : index.frameCount
    }

    private func previousStepStart() -> Int64 {
        let position = currentPosition
        let current = index.step(at: position)
        let intoStep = position - index.stepStarts[current]
        if intoStep < Int64(2 * timeline.sampleRate), current > 0 { return index.stepStarts[current - 1] }
        return index.stepStarts[current]
    }

    /// Where the play is, as the steps count it: a replayed cycle belongs to the cycle before
    /// its insertion point, a pause to where it resumes.
    private var currentPosition: Int64 {
        if case .paused = state { return resumeTarget }
        if case let .inside(cycle, _) = detour { return cycle.insertAt - 1 }
        return renderer.position
    }

    private func extend() {
        if detour.addReplay() {
            counts.extends += 1
            return
        }
        guard let cycle = index.extraCycle(at: currentPosition) else { return }
        detour = .ahead(cycle, count: 1)
        counts.extends += 1
    }
}
