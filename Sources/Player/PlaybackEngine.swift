import AudioIO
import Foundation
import Planning
import Sound
import Synchronization
import SystemIO

/// The transport: turns a timeline into the blocks a player writes, obeying pause, skip,
/// extend, volume, safety stop and waits. Every change of level is a ramp, so nothing clicks.
///
/// This file holds the engine's state and its render loop, one state machine (hence its
/// length, about 400 lines); its states are in `PlaybackEngine+State.swift`, the
/// commands' effects in `PlaybackEngine+Commands.swift`, the queue they come through in
/// `CommandQueue.swift`, the pacing's changes for the breath in `PlaybackEngine+Adaptation.swift`.
///
/// Thread-safety: ``send(_:)`` and ``snapshot`` may be called from any thread;
/// ``render(into:frameCount:)`` from one thread only, the playback thread. It allocates
/// nothing, never prints and only tries a lock, never waits on one.
public final class PlaybackEngine: @unchecked Sendable {
    public struct Options: Sendable {
        /// Whether `wait` steps wait for the user (`false`: they last their export length).
        public var waits: Bool
        /// The longest a wait waits before going on by itself.
        public var maximumWaitSeconds: Double

        public init(waits: Bool = true, maximumWaitSeconds: Double = 180) {
            self.waits = waits
            self.maximumWaitSeconds = maximumWaitSeconds
        }
    }

    /// Fades for pause, resume, skip and stop.
    public static let fadeSeconds = 0.020
    /// The volume moves to a new setting over this time.
    static let volumeRampSeconds = 0.020
    /// The volume, in dB, relative to the session's own level.
    public static let volumeRange = -30.0...12.0

    public let timeline: Timeline
    let renderer: Renderer
    let index: TimelineIndex
    /// Where `--follow-breath` may change the pacing (`PlaybackEngine+Adaptation.swift`).
    let points: AdaptationPoints
    let options: Options
    let channelCount: Int
    let safetyClip: [Float]

    // MARK: Control side → playback thread

    private let commands = CommandQueue()
    /// The commands taken for the current block.
    var pending = CommandBatch()

    // MARK: Playback thread → control side

    private let published = SnapshotStore()
    private let queued = Atomic<Bool>(false)
    private let stopSent = Atomic<Bool>(false)
    /// Readable when a command has been sent: a playback thread asleep on its device polls it too.
    public let wakeup: WakeSignal?
    /// Whether ``render(into:frameCount:)`` publishes the state after each block (`false`: the
    /// playback thread publishes the state of the block being heard, ``publishCheckpoint(_:)``).
    public var publishesEachBlock = true

    // MARK: Playback thread state

    var state = State.playing
    /// The fade of pause, resume, skip and stop, 0…1: up unless the state fades out.
    var fade: LevelRamp
    /// The volume the person set, as a gain.
    var volume: LevelRamp
    var volumeDecibels = 0.0
    /// Where a resume plays from.
    var resumeTarget: Int64 = 0
    var played: Int64 = 0
    var covered: Int64 = 0
    var detour = Detour.none
    /// The breath heard and the pacing changes asked for (`--follow-breath`).
    var following = Following()
    /// Paused because the device stopped taking sound (not by the person): see ``interrupt()``.
    var interrupted = false
    /// The device moves again: an interruption resumes as soon as its fade-out is done.
    var interruptionOver = false
    var counts = Counts()
    /// How the session ended (`true`: it reached its end), once it has.
    var completed: Bool?
    /// The engine's state at block starts, for taking queued audio back (see `PlaybackEngine+Checkpoints.swift`).
    let checkpoints = CheckpointStore()
    /// The transport's frames before the master limiter, and after it.
    private let mixed: UnsafeMutablePointer<Float>
    private let scratch: UnsafeMutablePointer<Float>
    let limiter: Limiter
    /// The fade and volume of each frame of a block, handed to the renderer before its ceiling.
    private let levels: UnsafeMutablePointer<Float>

    /// - Parameters:
    ///   - safetyClip: the "Druck sofort lösen" cue at the output rate (mono), for ``TransportCommand/safety``.
    public init(timeline: Timeline, renderer: Renderer, safetyClip: [Float], options: Options = Options()) {
        self.timeline = timeline
        self.renderer = renderer
        self.index = TimelineIndex(timeline)
        self.points = AdaptationPoints(timeline)
        self.options = options
        self.channelCount = timeline.channelCount
        self.safetyClip = safetyClip
        wakeup = try? WakeSignal()
        // The session starts at full level: its own first frames are ramps already.
        fade = LevelRamp(level: 1, curve: .linear, seconds: Self.fadeSeconds, sampleRate: timeline.sampleRate)
        volume = LevelRamp(level: 1, curve: .exponential, seconds: Self.volumeRampSeconds, sampleRate: timeline.sampleRate)
        scratch = .allocate(capacity: Renderer.maximumBlock * timeline.channelCount)
        mixed = .allocate(capacity: Renderer.maximumBlock * timeline.channelCount)
        limiter = Limiter(sampleRate: timeline.sampleRate, channelCount: timeline.channelCount)
        // The limiter takes the peaks down; the gain stage leaves them alone.
        renderer.softCeiling = false
        levels = .allocate(capacity: Renderer.maximumBlock)
    }

    deinit {
        scratch.deallocate()
        mixed.deallocate()
        levels.deallocate()
    }

    // MARK: - Control side

    /// Queues a command for the playback thread (taken at its next block, about 10 ms).
    public func send(_ command: TransportCommand) {
        commands.send(command)
        if case .stop = command { stopSent.store(true, ordering: .relaxed) }
        queued.store(true, ordering: .releasing)
        wakeup?.signal()
    }

    /// Whether the session has ended (a stop, or its end). Playback thread only.
    public var hasFinished: Bool {
        if case .finished = state { true } else { false }
    }

    /// Whether a stop has been sent (from any side).
    public var stopWasSent: Bool { stopSent.load(ordering: .relaxed) }

    /// Whether commands were sent that the next block has not taken yet.
    public var hasQueuedCommands: Bool { queued.load(ordering: .acquiring) }

    public var snapshot: Snapshot { published.snapshot }

    // MARK: - Playback thread

    /// Produces up to `frameCount` frames (at most ``Renderer/maximumBlock``) of interleaved
    /// 16-bit audio, through the master ``Limiter`` (which holds back its short look-ahead: the
    /// first call gives fewer frames, and the last frames come after the session's end).
    /// - Returns: the frames produced; 0 once the session has finished and the limiter is empty.
    public func render(into output: UnsafeMutablePointer<Int16>, frameCount requested: Int) -> Int {
        takeCommands()
        let frameCount = min(requested, Renderer.maximumBlock)
        var written = 0
        while written == 0 {
            let made = produce(into: mixed, frameCount: frameCount)
            guard made > 0 else {
                written = limiter.drain(into: scratch, frameCount: frameCount)
                break
            }
            written = limiter.process(mixed, into: scratch, frameCount: made)
        }
        PCM.convert(scratch, into: output, count: written * channelCount)
        if publishesEachBlock { published.publish(currentSnapshot) }
        return written
    }

    /// Applies the commands sent since the last block, if the queue's lock is free.
    func takeCommands() {
        guard queued.load(ordering: .acquiring) else { return }
        queued.store(false, ordering: .releasing)
        guard commands.take(into: &pending) else {
            queued.store(true, ordering: .releasing)
            return
        }
        pending.forEach { apply($0) }
        pending.clear()
    }

    /// The transport's own frames, before the limiter. - Returns: the frames produced.
    private func produce(into output: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        var produced = 0
        var paused = 0
        blocks: while produced < frameCount {
            let room = frameCount - produced
            let target = output + produced * channelCount
            switch state {
            case .finished:
                break blocks
            case .paused:
                target.update(repeating: 0, count: room * channelCount)
                produced += room
                paused += room
            case let .waiting(waited, end):
                // The ambience goes on while the person takes their time (silence without one).
                let leveled = fillLevels(count: room)
                renderer.renderHeld(into: target, frameCount: room, held: waited, levels: leveled ? levels : nil)
                produced += room
                let total = waited + Int64(room)
                if Double(total) >= options.maximumWaitSeconds * Double(timeline.sampleRate) {
                    passWait(to: end, waited: total)
                } else {
                    state = .waiting(waited: total, end: end)
                }
            case let .leavingWait(waited, after):
                let count = min(room, max(1, fade.framesToSilence))
                let leveled = fillLevels(count: count)
                renderer.renderHeld(into: target, frameCount: count, held: waited, levels: leveled ? levels : nil)
                produced += count
                if fade.level <= 0 {
                    fade.level = 0
                    complete(after)
                } else {
                    state = .leavingWait(waited: waited + Int64(count), after: after)
                }
            case let .holding(held, limit, cue):
                // Held for the person's breath: what sounds is what a wait sounds.
                let count = Int(min(Int64(room), max(1, limit - held)))
                let leveled = fillLevels(count: count)
                renderer.renderHeld(into: target, frameCount: count, held: held, levels: leveled ? levels : nil)
                produced += count
                let total = held + Int64(count)
                if total >= limit {
                    endHold(held: total, cue: cue, heard: false)
                } else {
                    state = .holding(held: total, limit: limit, cue: cue)
                }
            case let .safety(offset):
                let count = min(room, safetyClip.count - offset)
                for frame in 0..<count {
                    volume.advance()
                    let sample = safetyClip[offset + frame] * volume.level
                    for channel in 0..<channelCount { target[frame * channelCount + channel] = sample }
                }
                produced += count
                state = offset + count >= safetyClip.count ? .paused : .safety(offset: offset + count)
                if case .paused = state { counts.pauses += 1 }
            case .playing, .fadingOut:
                produced += play(into: target, room: room)
            }
        }
        played += Int64(produced - paused)
        return produced
    }

    /// Renders timeline audio up to the next boundary; returns the frames written.
    private func play(into target: UnsafeMutablePointer<Float>, room: Int) -> Int {
        let position = renderer.position
        if handleBoundary(at: position) { return 0 }
        var chunk = Int64(room)
        chunk = min(chunk, index.frameCount - position)
        switch detour {
        case let .inside(cycle, _):
            chunk = min(chunk, cycle.end - position)
        case let .ahead(cycle, _) where cycle.insertAt > position:
            chunk = min(chunk, cycle.insertAt - position)
        default:
            break
        }
        if options.waits {
            let next = TimelineIndex.firstIndex(in: index.waitPoints, atLeast: position)
            if next < index.waitPoints.count, index.waitPoints[next] > position {
                chunk = min(chunk, index.waitPoints[next] - position)
            }
        }
        if case .fadingOut = state {
            chunk = min(chunk, Int64(fade.framesToSilence))
        } else if !detour.isInside, let point = nextAdaptationPoint(from: position), point > position {
            chunk = min(chunk, point - position)
        }
        // The renderer gives exactly `frames` here: the chunk ends at the timeline's end at the latest.
        let frames = Int(max(1, chunk))
        let leveled = fillLevels(count: frames)
        let count = renderer.render(into: target, frameCount: frames, levels: leveled ? levels : nil)
        guard count > 0 else {
            finish(completed: true)
            return 0
        }
        if !detour.isInside { covered += Int64(count) }
        if case let .fadingOut(after) = state, fade.level <= 0 {
            fade.level = 0
            complete(after)
        }
        return count
    }

    /// Acts on a boundary at `position`; returns `true` when the state changed and no audio
    /// was produced.
    private func handleBoundary(at position: Int64) -> Bool {
        if position >= index.frameCount, !detour.isInside {
            finish(completed: true)
            return true
        }
        switch detour {
        case let .inside(cycle, _) where position >= cycle.end:
            renderer.seek(to: cycle.insertAt)
            detour.finishReplay()
            return true
        case let .ahead(cycle, count) where position == cycle.insertAt:
            renderer.seek(to: cycle.start)
            detour = .inside(cycle, count: count)
            return true
        default:
            break
        }
        if adaptPacing(at: position) { return true }
        if options.waits, case .playing = state {
            let next = TimelineIndex.firstIndex(in: index.waitPoints, atLeast: position)
            if next < index.waitPoints.count, index.waitPoints[next] == position, !detour.isInside {
                state = .waiting(waited: 0, end: index.waitEnds[next])
                counts.waits += 1
                return true
            }
        }
        return false
    }

    /// Fills ``levels`` with the fade and volume ramps for the next `count` frames; returns
    /// `false` at steady full level, where no gain is applied at all, so an uninterrupted play
    /// equals an export bit for bit.
    private func fillLevels(count: Int) -> Bool {
        switch state {
        case .fadingOut, .leavingWait: fade.target = 0
        default: fade.target = 1
        }
        if fade.rests(at: 1), volume.rests(at: 1) { return false }
        for frame in 0..<count {
            fade.advance()
            volume.advance()
            levels[frame] = fade.level * volume.level
        }
        return true
    }

    func complete(_ after: After) {
        switch after {
        case .pause:
            state = .paused
            counts.pauses += 1
        case .stop:
            finish(completed: false)
        case .safety:
            state = .safety(offset: 0)
            counts.safetyStops += 1
        case let .seek(position):
            seek(to: position)
            startFadeIn()
            state = .playing
        case .interruption:
            state = .paused
            interrupted = true
            if interruptionOver { resumeAfterInterruption() }
        case .play:
            startFadeIn()
            state = .playing
        case let .shorten(boundary):
            covered += boundary - renderer.position
            renderer.seek(to: boundary)
            startFadeIn()
            state = .playing
        }
    }

    func finish(completed: Bool) {
        state = .finished
        self.completed = completed
    }

    func startFadeIn() {
        fade.level = 0
    }

    /// Leaves a wait for the step after it (after the fade); the wait's planned length counts as played.
    func passWait(to end: Int64, waited: Int64) {
        covered += end - renderer.position
        state = .leavingWait(waited: waited, after: .seek(end))
    }

    func seek(to position: Int64) {
        renderer.seek(to: position)
        detour = .none
        following.waitedAt = -1
        following.adaptedAt = -1
        // An exhale heard before a skip or a step back does not count for the cues after it,
        // nor a change asked for where the play was.
        following.lastExhale = .min
        following.requested = 0
    }

    /// The state now, as the control side reads it.
    var currentSnapshot: Snapshot {
        let position = if case let .inside(cycle, _) = detour { cycle.insertAt } else { renderer.position }
        return Snapshot(
            position: position, playedFrames: played, coveredFrames: covered,
            step: index.step(at: max(0, min(position, index.frameCount - 1))), mode: state.mode,
            volumeDecibels: volumeDecibels, completed: completed ?? false,
            pauses: counts.pauses, resumes: counts.resumes, skips: counts.skips, extends: counts.extends,
            safetyStops: counts.safetyStops, waitsStarted: counts.waits,
            isHolding: state.isHolding, adaptations: counts.adaptations, lastAdaptation: counts.lastAdaptation)
    }

    /// Publishes `snapshot` for the control side.
    func publish(_ snapshot: Snapshot) {
        published.publish(snapshot)
    }

    /// Publishes the state now (at the end of a play, once every frame is heard).
    public func publishCurrentState() {
        published.publish(currentSnapshot)
    }
}
