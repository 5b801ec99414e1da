import AudioIO
import Foundation
import Sound
import Synchronization
import SystemIO

/// The dedicated thread that renders a period (15 ms) at a time and writes it to ALSA, and
/// sleeps in `poll` until the device has played a period (about 67 wake-ups a second, where
/// blocking writes of 10 ms periods took over 300 writes and as many polls); it never waits on
/// the device without a bound.
///
/// When the device takes nothing for ``stallThreshold`` (a frozen sound server) the play is
/// interrupted as for a pause and goes on from the start of the interrupted breath cycle once
/// the device moves again; when the device goes away (a server killed or restarted) it is
/// opened again with a short backoff. Either lasting longer than the stall limit ends the play
/// with a ``DeviceError``.
///
/// Thread-safety: ``start()``, ``stopIfStalled()`` and the read-only properties may be called
/// from any thread; everything else runs on the thread itself.
public final class PlaybackThread: @unchecked Sendable {
    /// Opens the device again after it went away.
    public typealias Reopen = @Sendable () throws(DeviceError) -> AlsaPlayback

    public let engine: PlaybackEngine
    /// The device now (replaced after a reopen); the playback thread's own.
    private var output: AlsaPlayback
    private let reopen: Reopen
    /// How long the device may take nothing, or stay away, before the play ends.
    public let stallLimit: Duration
    /// No room in the device for this long counts as a stall (its buffer holds 50 ms).
    static let stallThreshold: Duration = .milliseconds(500)
    /// The longest sleep before looking at the clock and the stop flag again.
    static let waitMilliseconds: Int32 = 100
    /// A stop waits this long for a device that takes nothing before it ends the play without
    /// its fade-out.
    static let stopGrace: Duration = .milliseconds(200)

    private let done = Atomic<Bool>(false)
    private let failure = Mutex<DeviceError?>(nil)
    private let stopRequested = Atomic<Bool>(false)
    /// The device's condition, for the status line and events.
    private let health = Health()
    private let xrunsOfClosedDevices = Atomic<Int>(0)

    /// - Parameters:
    ///   - stallLimit: how long a stall or a lost device is waited out before the play ends.
    ///   - reopen: opens the same device again (with a bounded wait).
    public init(engine: PlaybackEngine, output: AlsaPlayback, stallLimit: Duration = .seconds(30),
                reopen: @escaping Reopen) {
        self.engine = engine
        self.output = output
        self.stallLimit = stallLimit
        self.reopen = reopen
    }

    /// Starts playing. The thread holds this object only while it runs.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "psoas.playback"
        thread.qualityOfService = .userInteractive
        thread.stackSize = 1 << 20
        thread.start()
    }

    public var isDone: Bool { done.load(ordering: .acquiring) }

    /// Why playback ended early, if the device failed.
    public var deviceFailure: DeviceError? { failure.withLock { $0 } }

    /// The underruns of every device opened so far.
    public var xrunCount: Int { xrunsOfClosedDevices.load(ordering: .relaxed) + health.currentXruns.load(ordering: .relaxed) }

    /// What the device is doing, as the control side sees it.
    public var condition: Condition { health.condition }

    /// Ends the thread at once if the device is stalled or away (a stop cannot be played then);
    /// a device that moves plays the stop's fade-out as usual.
    public func stopIfStalled() {
        stopRequested.store(true, ordering: .releasing)
    }

    // MARK: - The loop

    private enum Ending: Error {
        /// Stopped while the device was stalled or away: nothing more can be played.
        case stoppedWhileStalled
    }

    private func run() {
        let channels = engine.timeline.channelCount
        let capacity = Renderer.maximumBlock
        let buffer = UnsafeMutablePointer<Int16>.allocate(capacity: capacity * channels)
        defer { buffer.deallocate() }
        var pending = 0
        var offset = 0
        var clock = StallClock(limit: stallLimit, startFrames: output.bufferFrames + output.periodFrames)
        do {
            while true {
                if pending == 0 {
                    pending = engine.render(into: buffer, frameCount: min(capacity, output.periodFrames))
                    offset = 0
                    if pending == 0 { break }
                }
                do {
                    let room = try output.available()
                    if room >= pending {
                        let written = try output.write(buffer + offset * channels, frameCount: pending)
                        offset += written
                        pending -= written
                        health.currentXruns.store(output.xrunCount, ordering: .relaxed)
                        if written > 0 {
                            moved(&clock, frames: written)
                            continue
                        }
                    }
                    // Sleep until the device has played a period.
                    if try output.wait(milliseconds: Self.waitMilliseconds) { continue }
                    if try output.available() > room { continue }
                    try stillWaiting(&clock)
                } catch let error as DeviceError where error.kind == .lost {
                    try reconnect(after: error)
                    pending = 0
                    clock = StallClock(limit: stallLimit, startFrames: output.bufferFrames + output.periodFrames)
                }
            }
            try playOut(&clock)
            output.drain()
        } catch let error as DeviceError {
            output.abandon()
            failure.withLock { $0 = error }
        } catch {
            output.abandon()
        }
        health.set(stalledSince: nil)
        done.store(true, ordering: .releasing)
    }

    /// Waits until the device has played what it holds.
    private func playOut(_ clock: inout StallClock) throws {
        while true {
            let queued = try output.queuedFrames()
            if queued == 0 || output.delayFrames == 0 { return }
            if clock.lastProgress.duration(to: .now) > .seconds(2), !clock.isStalled {
                // Some devices keep a little back: 2 s without a frame taken is the end of it.
                return
            }
            AlsaPlayback.sleep(milliseconds: 10)
            let left = try output.queuedFrames()
            if left < queued { moved(&clock, frames: queued - left) } else { try stillWaiting(&clock) }
        }
    }

    /// The device took `frames`: a stall, if there was one, is over.
    private func moved(_ clock: inout StallClock, frames: Int) {
        if let length = clock.moved(frames) {
            health.endStall(length: length)
            engine.endInterruption()
        }
    }

    /// The device took nothing this time: counts towards a stall, and past the limit ends the play.
    private func stillWaiting(_ clock: inout StallClock) throws {
        if stopRequested.load(ordering: .acquiring), clock.lastProgress.duration(to: .now) > Self.stopGrace {
            throw Ending.stoppedWhileStalled
        }
        switch clock.noProgress() {
        case .fine: break
        case let .stalled(since):
            health.set(stalledSince: since)
            engine.interrupt(fading: true)
        case let .overLimit(length):
            health.endStall(length: length)
            throw DeviceError(device: output.device, message: "the sound server made no progress for \(Self.seconds(length)) s",
                              kind: .notAnswering)
        }
    }

    /// Opens the device again with a short backoff until it is back or the limit is reached.
    private func reconnect(after error: DeviceError) throws {
        engine.interrupt(fading: false)
        output.abandon()
        xrunsOfClosedDevices.add(output.xrunCount, ordering: .relaxed)
        health.currentXruns.store(0, ordering: .relaxed)
        health.lose()
        let lost = ContinuousClock.now
        var backoff: Duration = .milliseconds(250)
        while true {
            if stopRequested.load(ordering: .acquiring) { throw Ending.stoppedWhileStalled }
            do throws(DeviceError) {
                output = try reopen()
                health.comeBack()
                engine.endInterruption()
                return
            } catch {
                if lost.duration(to: .now) + backoff > stallLimit {
                    throw DeviceError(device: output.device, message: "the sound device went away (\(error.message)) and was not back within \(Self.seconds(stallLimit)) s",
                                      kind: .lost)
                }
            }
            let until = ContinuousClock.now + backoff
            while ContinuousClock.now < until, !stopRequested.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: 0.05)
            }
            backoff = min(backoff * 2, .seconds(1))
        }
    }

    static func seconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds)
    }
}

// MARK: - Stalls

/// When the device last took frames, and whether its silence is a stall yet.
///
/// Thread-safety: a value type, used by the playback thread only.
struct StallClock {
    enum Verdict {
        case fine
        /// A stall began (reported once), at this moment.
        case stalled(since: ContinuousClock.Instant)
        case overLimit(Duration)
    }

    let limit: Duration
    /// The frames the device takes before it certainly plays (more than its buffer holds): a
    /// sound server may wake late for a new stream, which is no stall of a play.
    let startFrames: Int
    var framesTaken = 0
    var lastProgress = ContinuousClock.now
    var isStalled = false

    init(limit: Duration, startFrames: Int) {
        self.limit = limit
        self.startFrames = startFrames
    }

    /// The device took `frames`; returns the length of the stall this ends, if one.
    mutating func moved(_ frames: Int) -> Duration? {
        framesTaken = min(framesTaken + frames, startFrames)
        defer {
            lastProgress = .now
            isStalled = false
        }
        return isStalled ? lastProgress.duration(to: .now) : nil
    }

    mutating func noProgress() -> Verdict {
        let silent = lastProgress.duration(to: .now)
        if silent > limit { return .overLimit(silent) }
        if !isStalled, framesTaken >= startFrames, silent > PlaybackThread.stallThreshold {
            isStalled = true
            return .stalled(since: lastProgress)
        }
        return .fine
    }
}

extension PlaybackThread {
    /// What the device is doing, as the control side sees it.
    public struct Condition: Sendable, Equatable {
        /// How long the device has taken nothing, when that is a stall.
        public var stalledSeconds: Double?
        /// Whether the device went away and is being opened again.
        public var isLost: Bool
        /// The stalls that have ended, and the length of the last one.
        public var stalls: Int
        public var lastStallSeconds: Double
        /// How often the device went away, and came back.
        public var losses: Int
        public var returns: Int
    }

    /// The device's condition, written by the playback thread and read by the control side.
    ///
    /// Thread-safety: the playback thread writes, any thread reads.
    final class Health: Sendable {
        let currentXruns = Atomic<Int>(0)
        /// Monotonic nanoseconds the current stall began; 0: none.
        private let stalledSince = Atomic<Int64>(0)
        private let lost = Atomic<Bool>(false)
        private let stalls = Atomic<Int>(0)
        private let lastStallMilliseconds = Atomic<Int>(0)
        private let losses = Atomic<Int>(0)
        private let returns = Atomic<Int>(0)
        private let origin = ContinuousClock.now

        func set(stalledSince instant: ContinuousClock.Instant?) {
            let nanoseconds = instant.map { Self.nanoseconds(origin.duration(to: $0)) + 1 } ?? 0
            stalledSince.store(nanoseconds, ordering: .relaxed)
        }

        func endStall(length: Duration) {
            lastStallMilliseconds.store(Int(Self.nanoseconds(length) / 1_000_000), ordering: .relaxed)
            stalledSince.store(0, ordering: .relaxed)
            stalls.add(1, ordering: .releasing)
        }

        func lose() {
            stalledSince.store(0, ordering: .relaxed)
            lost.store(true, ordering: .relaxed)
            losses.add(1, ordering: .releasing)
        }

        func comeBack() {
            lost.store(false, ordering: .relaxed)
            returns.add(1, ordering: .releasing)
        }

        var condition: Condition {
            let since = stalledSince.load(ordering: .relaxed)
            let now = Self.nanoseconds(origin.duration(to: .now))
            return Condition(
                stalledSeconds: since == 0 ? nil : Double(now - since) / 1e9,
                isLost: lost.load(ordering: .relaxed),
                stalls: stalls.load(ordering: .acquiring),
                lastStallSeconds: Double(lastStallMilliseconds.load(ordering: .relaxed)) / 1000,
                losses: losses.load(ordering: .acquiring),
                returns: returns.load(ordering: .acquiring))
        }

        static func nanoseconds(_ duration: Duration) -> Int64 {
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        }
    }
}
