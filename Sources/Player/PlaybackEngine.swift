import AudioIO
import Foundation
import Sound
import Synchronization
import Planning

/// The transport: turns a timeline into the blocks a player writes, obeying pause, skip,
/// extend, volume, safety stop and waits. Every change of level is a ramp, so nothing clicks.
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

    /// What the player is doing, as ``Snapshot/mode`` reports it.
    public enum Mode: Int, Sendable {
        case playing = 0, paused, waiting, safety, finished
    }

    /// The state the control side reads.
    public struct Snapshot: Sendable {
        public var position: Int64
        /// Frames heard or waited through: pauses (and the silence after a safety stop) not counted.
        public var playedFrames: Int64
        /// How much of the timeline was played: its frames rendered outside an extra cycle,
        /// plus each wait's planned length once the wait is passed. Skipped parts are not counted.
        public var coveredFrames: Int64
        public var step: Int
        public var mode: Mode
        public var volumeDecibels: Double
        public var completed: Bool
        public var pauses: Int
        public var resumes: Int
        public var skips: Int
        public var extends: Int
        public var safetyStops: Int
        public var waitsStarted: Int
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
    let options: Options
    let channelCount: Int
    let safetyClip: [Float]

    // MARK: Control side → playback thread

    private let inbox = Mutex<CommandBox>(CommandBox())
    private var pending = CommandBox()

    // MARK: Playback thread → control side

    private let positionAtomic = Atomic<Int64>(0)
    private let playedAtomic = Atomic<Int64>(0)
    private let coveredAtomic = Atomic<Int64>(0)
    private let stepAtomic = Atomic<Int>(0)
    private let modeAtomic = Atomic<Int>(0)
    private let volumeAtomic = Atomic<Int>(0)
    private let completedAtomic = Atomic<Bool>(false)
    private let counters = Counters()

    // MARK: Playback thread state

    private enum After { case pause, stop, safety, seek(Int64) }
    private enum State {
        case playing
        case fadingOut(After)
        case paused
        case waiting(waited: Int64, end: Int64)
        /// A wait's sound (the ambience) fading out before `after`: leaving a wait never cuts it off.
        case leavingWait(waited: Int64, after: After)
        case safety(offset: Int)
        case finished
    }

    private var state = State.playing
    private var fade: Float = 0
    private let fadeStep: Float
    private var volume: Float = 1
    private var volumeTarget: Float = 1
    private var volumeDecibels = 0.0
    private let volumeStep: Float
    private var resumeTarget: Int64 = 0
    private var played: Int64 = 0
    private var covered: Int64 = 0
    /// A one-cycle extension: play [start, end) when reaching insertAt, `count` times.
    private var detour: (insertAt: Int64, start: Int64, end: Int64, count: Int)?
    private var inDetour = false
    /// The transport's frames before the master limiter, and after it.
    private let mixed: UnsafeMutablePointer<Float>
    private let scratch: UnsafeMutablePointer<Float>
    private let limiter: Limiter
    /// The fade and volume of each frame of a block, handed to the renderer before its ceiling.
    private let levels: UnsafeMutablePointer<Float>

    /// - Parameters:
    ///   - safetyClip: the "Druck sofort lösen" cue at the output rate (mono), for ``TransportCommand/safety``.
    public init(timeline: Timeline, renderer: Renderer, safetyClip: [Float], options: Options = Options()) {
        self.timeline = timeline
        self.renderer = renderer
        self.index = TimelineIndex(timeline)
        self.options = options
        self.channelCount = timeline.channelCount
        self.safetyClip = safetyClip
        let rate = Float(timeline.sampleRate)
        fadeStep = 1 / (Float(Self.fadeSeconds) * rate)
        volumeStep = 1 / (Float(Self.volumeRampSeconds) * rate)
        scratch = .allocate(capacity: Renderer.maximumBlock * timeline.channelCount)
        mixed = .allocate(capacity: Renderer.maximumBlock * timeline.channelCount)
        limiter = Limiter(sampleRate: timeline.sampleRate, channelCount: timeline.channelCount)
        // The limiter takes the peaks down; the gain stage leaves them alone.
        renderer.softCeiling = false
        levels = .allocate(capacity: Renderer.maximumBlock)
        pending.reserve()
        inbox.withLock { $0.reserve() }
        // The session starts at full level: its own first frames are ramps already.
        fade = 1
    }

    deinit {
        scratch.deallocate()
        mixed.deallocate()
        levels.deallocate()
    }

    // MARK: - Control side

    /// Queues a command for the playback thread (taken at its next block, about 10 ms).
    public func send(_ command: TransportCommand) {
        inbox.withLock { $0.append(command) }
    }

    public var snapshot: Snapshot {
        Snapshot(position: positionAtomic.load(ordering: .relaxed),
                 playedFrames: playedAtomic.load(ordering: .relaxed),
                 coveredFrames: coveredAtomic.load(ordering: .relaxed),
                 step: stepAtomic.load(ordering: .relaxed),
                 mode: Mode(rawValue: modeAtomic.load(ordering: .relaxed)) ?? .playing,
                 volumeDecibels: Double(volumeAtomic.load(ordering: .relaxed)) / 100,
                 completed: completedAtomic.load(ordering: .relaxed),
                 pauses: counters.pauses.load(ordering: .relaxed),
                 resumes: counters.resumes.load(ordering: .relaxed),
                 skips: counters.skips.load(ordering: .relaxed),
                 extends: counters.extends.load(ordering: .relaxed),
                 safetyStops: counters.safetyStops.load(ordering: .relaxed),
                 waitsStarted: counters.waits.load(ordering: .relaxed))
    }

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
        publish()
        return written
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
                let count = min(room, max(1, Int((fade / fadeStep).rounded(.up))))
                let leveled = fillLevels(count: count)
                renderer.renderHeld(into: target, frameCount: count, held: waited, levels: leveled ? levels : nil)
                produced += count
                if fade <= 0 {
                    fade = 0
                    complete(after)
                } else {
                    state = .leavingWait(waited: waited + Int64(count), after: after)
                }
            case let .safety(offset):
                let count = min(room, safetyClip.count - offset)
                for frame in 0..<count {
                    stepVolume()
                    let sample = safetyClip[offset + frame] * volume
                    for channel in 0..<channelCount { target[frame * channelCount + channel] = sample }
                }
                produced += count
                state = offset + count >= safetyClip.count ? .paused : .safety(offset: offset + count)
                if case .paused = state { counters.pauses.add(1, ordering: .relaxed) }
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
        if let detour {
            if inDetour { chunk = min(chunk, detour.end - position) }
            else if detour.insertAt > position { chunk = min(chunk, detour.insertAt - position) }
        }
        if options.waits {
            let next = TimelineIndex.firstIndex(in: index.waitPoints, atLeast: position)
            if next < index.waitPoints.count, index.waitPoints[next] > position {
                chunk = min(chunk, index.waitPoints[next] - position)
            }
        }
        if case .fadingOut = state {
            chunk = min(chunk, Int64((fade / fadeStep).rounded(.up)))
        }
        // The renderer gives exactly `frames` here: the chunk ends at the timeline's end at the latest.
        let frames = Int(max(1, chunk))
        let leveled = fillLevels(count: frames)
        let count = renderer.render(into: target, frameCount: frames, levels: leveled ? levels : nil)
        guard count > 0 else {
            finish(completed: true)
            return 0
        }
        if !inDetour { covered += Int64(count) }
        if case let .fadingOut(after) = state, fade <= 0 {
            fade = 0
            complete(after)
        }
        return count
    }

    /// Acts on a boundary at `position`; returns `true` when the state changed and no audio
    /// was produced.
    private func handleBoundary(at position: Int64) -> Bool {
        if position >= index.frameCount, !inDetour {
            finish(completed: true)
            return true
        }
        if let current = detour {
            if inDetour, position >= current.end {
                renderer.seek(to: current.insertAt)
                inDetour = false
                detour = current.count > 1 ? (current.insertAt, current.start, current.end, current.count - 1) : nil
                return true
            }
            if !inDetour, position == current.insertAt {
                renderer.seek(to: current.start)
                inDetour = true
                return true
            }
        }
        if options.waits, case .playing = state {
            let next = TimelineIndex.firstIndex(in: index.waitPoints, atLeast: position)
            if next < index.waitPoints.count, index.waitPoints[next] == position, !inDetour {
                state = .waiting(waited: 0, end: index.waitEnds[next])
                counters.waits.add(1, ordering: .relaxed)
                return true
            }
        }
        return false
    }

    /// Fills ``levels`` with the fade and volume ramps for the next `count` frames; returns
    /// `false` at steady full level, where no gain is applied at all, so an uninterrupted play
    /// equals an export bit for bit.
    private func fillLevels(count: Int) -> Bool {
        let fadeDirection: Float
        switch state {
        case .fadingOut, .leavingWait: fadeDirection = -fadeStep
        default: fadeDirection = fade < 1 ? fadeStep : 0
        }
        if fadeDirection == 0, volume == volumeTarget, volume == 1 { return false }
        for frame in 0..<count {
            fade = min(1, max(0, fade + fadeDirection))
            stepVolume()
            levels[frame] = fade * volume
        }
        return true
    }

    /// Moves the volume one frame toward its target (an exponential ramp: even in decibels).
    @inline(__always)
    private func stepVolume() {
        guard volume != volumeTarget else { return }
        volume = volume < volumeTarget ? min(volumeTarget, volume + volumeStep * volume)
                                       : max(volumeTarget, volume - volumeStep * volume)
    }

    private func complete(_ after: After) {
        switch after {
        case .pause:
            state = .paused
            counters.pauses.add(1, ordering: .relaxed)
        case .stop:
            finish(completed: false)
        case .safety:
            state = .safety(offset: 0)
            counters.safetyStops.add(1, ordering: .relaxed)
        case let .seek(position):
            seek(to: position)
            startFadeIn()
            state = .playing
        }
    }

    private func finish(completed: Bool) {
        state = .finished
        completedAtomic.store(completed, ordering: .relaxed)
    }

    private func startFadeIn() {
        fade = 0
    }

    /// Leaves a wait for the step after it (after the fade); the wait's planned length counts as played.
    private func passWait(to end: Int64, waited: Int64) {
        covered += end - renderer.position
        state = .leavingWait(waited: waited, after: .seek(end))
    }

    private func seek(to position: Int64) {
        renderer.seek(to: position)
        if inDetour { inDetour = false }
        detour = nil
    }

    // MARK: Commands

    private func takeCommands() {
        let taken: Bool = inbox.withLockIfAvailable { box in
            pending.takeAll(from: &box)
            return true
        } ?? false
        guard taken else { return }
        for index in 0..<pending.count {
            apply(pending.commands[index])
        }
        // Volume steps add up; a safety stop and a stop come last, so that they win over
        // anything sent with them.
        if pending.volumeDecibels != 0 { apply(.volume(decibels: pending.volumeDecibels)) }
        if pending.safety { apply(.safety) }
        if pending.stop { apply(.stop) }
        pending.clear()
    }

    private func apply(_ command: TransportCommand) {
        switch command {
        case .pause: pause()
        case .resume: resume()
        case .toggle:
            switch state {
            case .paused: resume()
            default: pause()
            }
        case .next: skip(to: nextStepStart())
        case .back: skip(to: previousStepStart())
        case .extend: extend()
        case .continueWait:
            if case let .waiting(waited, end) = state { passWait(to: end, waited: waited) }
        case .safety:
            switch state {
            case .finished, .safety, .fadingOut(.stop), .leavingWait(_, .stop): return
            case .playing, .fadingOut:
                resumeTarget = pauseTarget()
                state = .fadingOut(.safety)
            case let .waiting(waited, _):
                resumeTarget = renderer.position
                state = .leavingWait(waited: waited, after: .safety)
            case let .leavingWait(waited, _):
                state = .leavingWait(waited: waited, after: .safety)
            case .paused:
                state = .safety(offset: 0)
                counters.safetyStops.add(1, ordering: .relaxed)
            }
        case let .volume(decibels):
            volumeDecibels = min(Self.volumeRange.upperBound, max(Self.volumeRange.lowerBound, volumeDecibels + decibels))
            volumeTarget = Float(Foundation.pow(10, volumeDecibels / 20))
        case .stop:
            switch state {
            case .playing, .fadingOut: state = .fadingOut(.stop)
            case let .waiting(waited, _), let .leavingWait(waited, _): state = .leavingWait(waited: waited, after: .stop)
            case .finished: return
            default: finish(completed: false)
            }
        }
    }

    private func pauseTarget() -> Int64 {
        if inDetour, let detour { return detour.start }
        return index.resumePoint(for: renderer.position)
    }

    private func pause() {
        switch state {
        case .playing:
            resumeTarget = pauseTarget()
            state = .fadingOut(.pause)
        case let .waiting(waited, _):
            resumeTarget = renderer.position
            state = .leavingWait(waited: waited, after: .pause)
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
        guard case .paused = state else { return }
        if inDetour, let detour, resumeTarget >= detour.start, resumeTarget < detour.end {
            renderer.seek(to: resumeTarget)
        } else {
            seek(to: resumeTarget)
        }
        startFadeIn()
        state = .playing
        counters.resumes.add(1, ordering: .relaxed)
    }

    private func skip(to position: Int64) {
        // A stop under way stays a stop.
        if case .fadingOut(.stop) = state { return }
        if case .leavingWait(_, .stop) = state { return }
        counters.skips.add(1, ordering: .relaxed)
        switch state {
        case .playing, .fadingOut: state = .fadingOut(.seek(position))
        case .paused: resumeTarget = position
        case let .waiting(waited, _), let .leavingWait(waited, _): state = .leavingWait(waited: waited, after: .seek(position))
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

    private var currentPosition: Int64 {
        if case .paused = state { return resumeTarget }
        if inDetour, let detour { return detour.insertAt - 1 }
        return renderer.position
    }

    private func extend() {
        if let current = detour {
            detour = (current.insertAt, current.start, current.end, current.count + 1)
            counters.extends.add(1, ordering: .relaxed)
            return
        }
        guard let cycle = index.extraCycle(at: currentPosition) else { return }
        detour = (cycle.insertAt, cycle.start, cycle.end, 1)
        counters.extends.add(1, ordering: .relaxed)
    }

    private func publish() {
        let position = inDetour ? (detour?.insertAt ?? renderer.position) : renderer.position
        positionAtomic.store(position, ordering: .relaxed)
        playedAtomic.store(played, ordering: .relaxed)
        coveredAtomic.store(covered, ordering: .relaxed)
        stepAtomic.store(index.step(at: max(0, min(position, index.frameCount - 1))), ordering: .relaxed)
        let mode: Mode = switch state {
        case .playing, .fadingOut: .playing
        case .paused: .paused
        case .waiting, .leavingWait: .waiting
        case .safety: .safety
        case .finished: .finished
        }
        modeAtomic.store(mode.rawValue, ordering: .relaxed)
        volumeAtomic.store(Int((volumeDecibels * 100).rounded()), ordering: .relaxed)
    }
}

/// Lock-free counters of what happened, for events and the practice log.
final class Counters: Sendable {
    let pauses = Atomic<Int>(0)
    let resumes = Atomic<Int>(0)
    let skips = Atomic<Int>(0)
    let extends = Atomic<Int>(0)
    let safetyStops = Atomic<Int>(0)
    let waits = Atomic<Int>(0)
}

/// The commands sent since the playback thread last looked, in fixed capacity: nothing is
/// allocated on the playback thread.
///
/// A stop and a safety stop are flags that nothing can push out, volume steps add up into one,
/// and only the other commands (pause, skips, extend…) queue, up to ``capacity``: past it the
/// oldest of those is dropped.
struct CommandBox {
    static let capacity = 32
    var commands: [TransportCommand] = []
    var count = 0
    var volumeDecibels = 0.0
    var safety = false
    var stop = false

    mutating func reserve() {
        commands = Array(repeating: .pause, count: Self.capacity)
        clear()
    }

    mutating func clear() {
        count = 0
        volumeDecibels = 0
        safety = false
        stop = false
    }

    mutating func append(_ command: TransportCommand) {
        switch command {
        case .stop: stop = true
        case .safety: safety = true
        case let .volume(decibels): addVolume(decibels)
        default:
            if count == Self.capacity {
                for index in 1..<Self.capacity { commands[index - 1] = commands[index] }
                count -= 1
            }
            commands[count] = command
            count += 1
        }
    }

    /// Adds a volume step; the sum is kept within what any number of steps could mean.
    private mutating func addVolume(_ decibels: Double) {
        let span = PlaybackEngine.volumeRange.upperBound - PlaybackEngine.volumeRange.lowerBound
        volumeDecibels = min(span, max(-span, volumeDecibels + decibels))
    }

    /// Moves everything of `other` into this box (no allocation: both have capacity).
    mutating func takeAll(from other: inout CommandBox) {
        for index in 0..<other.count {
            append(other.commands[index])
        }
        addVolume(other.volumeDecibels)
        safety = safety || other.safety
        stop = stop || other.stop
        other.clear()
    }
}
