import AudioIO
import Foundation
import Synchronization
import SystemIO

/// The dedicated thread that renders blocks and writes them to ALSA.
///
/// With a long device buffer (``AlsaPlayback/Queue/rewindable``, ``AlsaPlayback/Queue/unpaced``)
/// it fills the buffer in 10 ms blocks, keeping the engine's state at the start of each
/// (`PlaybackEngine+Checkpoints.swift`), and sleeps until the device has room for a period or
/// a command comes; a command takes the unheard blocks back and renders again from the first of
/// them. With the short queue (``AlsaPlayback/Queue/short``) it writes one period at a time.
public final class PlaybackThread: @unchecked Sendable {
    public let engine: PlaybackEngine
    public let output: AlsaPlayback
    private let done = Atomic<Bool>(false)
    private let failure = Mutex<DeviceError?>(nil)
    /// Readable once the thread is done: the control side's poll ends at once.
    public let finished: WakeSignal?

    // MARK: What the device is doing (playback thread → control side)

    /// No progress for this long is a stall.
    static let stallNanoseconds: UInt64 = 500_000_000
    /// A device that has not played a frame this long after the first was written does not answer.
    static let startNanoseconds = UInt64(AlsaPlayback.openTimeoutSeconds) * 1_000_000_000
    /// Frames written since the device was (re)opened.
    private var written: Int64 = 0
    private let lastProgress = Atomic<UInt64>(0)
    /// When the stall under way began (0: none), or the device went away (0: it is here).
    private let stalledSince = Atomic<UInt64>(0)
    private let lostSince = Atomic<UInt64>(0)
    private let stalls = Atomic<Int>(0)
    private let lastStallMilliseconds = Atomic<Int>(0)
    private let losses = Atomic<Int>(0)
    private let returns = Atomic<Int>(0)

    /// What the device is doing, as the control side reports it.
    public struct Condition: Sendable, Equatable {
        /// How long the device has taken nothing, during a stall.
        public var stalledSeconds: Double?
        /// How long the device has been gone, while it is.
        public var lostSeconds: Double?
        /// Stalls that ended, and the length of the last.
        public var stalls: Int
        public var lastStallSeconds: Double
        /// Times the device went away, and came back.
        public var losses: Int
        public var returns: Int
    }

    public var condition: Condition {
        let now = Self.now()
        var stalled: Double?
        let since = stalledSince.load(ordering: .relaxed)
        if since != 0 {
            stalled = Double(now - min(now, since)) / 1e9
        } else if output.queue == .short, case let progress = lastProgress.load(ordering: .relaxed), progress != 0,
                  now - min(now, progress) > Self.stallNanoseconds, !isDone {
            // The short queue's write blocks: the time since it last returned.
            stalled = Double(now - progress) / 1e9
        }
        let lost = lostSince.load(ordering: .relaxed)
        return Condition(
            stalledSeconds: stalled, lostSeconds: lost == 0 ? nil : Double(now - min(now, lost)) / 1e9,
            stalls: stalls.load(ordering: .relaxed),
            lastStallSeconds: Double(lastStallMilliseconds.load(ordering: .relaxed)) / 1000,
            losses: losses.load(ordering: .relaxed), returns: returns.load(ordering: .relaxed))
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    /// What stays queued when a command takes the rest back: a block, so that the device (and
    /// a sound server reading ahead of it) is never caught without the frames it is playing.
    private var marginFrames: Int { Self.blockFrames(engine) }

    public init(engine: PlaybackEngine, output: AlsaPlayback) {
        self.engine = engine
        self.output = output
        finished = try? WakeSignal()
        if output.queue != .short {
            engine.publishesEachBlock = false
            engine.reserveCheckpoints(output.bufferFrames / Self.blockFrames(engine) + 4)
        }
    }

    /// The frames of one block of the long buffer: 10 ms, how finely a command lands.
    static func blockFrames(_ engine: PlaybackEngine) -> Int { max(1, engine.timeline.sampleRate / 100) }

    /// Starts playing. The thread holds this object only while it runs.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "psoas.playback"
        thread.qualityOfService = .userInteractive
        thread.stackSize = 1 << 20
        thread.start()
    }

    public var isDone: Bool { done.load(ordering: .acquiring) }

    /// How often the control side needs to look at the published state: the long buffer
    /// publishes what is heard at each of its wake-ups (every ``AlsaPlayback/longWakeSeconds``
    /// or at a command), the short queue at every 10 ms period.
    public var stateIntervalMilliseconds: Int32 { output.queue == .short ? 20 : 100 }

    /// Why playback ended early, if the device failed.
    public var deviceFailure: DeviceError? { failure.withLock { $0 } }

    private func run() {
        do throws(DeviceError) {
            switch output.queue {
            case .short:
                try playShortQueue()
                output.drain()
            case .rewindable, .unpaced:
                // It has waited for what it queued to be played: a drain would only wait longer.
                try playLongBuffer()
                output.drop()
            }
        } catch {
            failure.withLock { $0 = error }
        }
        engine.publishCurrentState()
        done.store(true, ordering: .releasing)
        finished?.signal()
    }

    private func playShortQueue() throws(DeviceError) {
        let channels = engine.timeline.channelCount
        let period = max(1, min(output.periodFrames, 4096))
        let buffer = UnsafeMutablePointer<Int16>.allocate(capacity: period * channels)
        defer { buffer.deallocate() }
        lastProgress.store(Self.now(), ordering: .relaxed)
        while true {
            let frames = engine.render(into: buffer, frameCount: period)
            guard frames > 0 else { break }
            // A write blocks while the server takes nothing: the control side sees the time
            // since the last progress (``condition``), and a long one is a stall once it ends.
            do throws(DeviceError) {
                try output.write(buffer, frameCount: frames)
            } catch where error.isLost {
                var none = CheckpointRing(capacity: 1)
                if waitForTheDevice(after: &none, buffer: buffer, block: frames) { break }
                written = 0
                lastProgress.store(Self.now(), ordering: .relaxed)
                continue
            }
            let now = Self.now()
            let waited = now - lastProgress.load(ordering: .relaxed)
            if waited > Self.stallNanoseconds, written > Int64(output.bufferFrames) {
                lastStallMilliseconds.store(Int(waited / 1_000_000), ordering: .relaxed)
                stalls.add(1, ordering: .relaxed)
                // The device moves again: what it held plays, then a short fade, and the play
                // goes on from the start of the interrupted breath cycle, as after a pause.
                engine.interrupt(fading: true)
                engine.endInterruption()
            }
            written += Int64(frames)
            lastProgress.store(now, ordering: .relaxed)
        }
    }

    private func playLongBuffer() throws(DeviceError) {
        let channels = engine.timeline.channelCount
        let block = Self.blockFrames(engine)
        let buffer = UnsafeMutablePointer<Int16>.allocate(capacity: block * channels)
        defer { buffer.deallocate() }
        var ring = CheckpointRing(capacity: engine.checkpointCapacity)
        let rate = engine.timeline.sampleRate
        // Wakes when this much room has been played out (or at a command).
        let wakeRoom = max(block, min(output.bufferFrames / 2, Int(AlsaPlayback.longWakeSeconds * Double(rate))))
        written = 0
        var heard: Int64 = 0
        var xrunWindow = (count: output.xrunCount, since: Self.now())
        lastProgress.store(Self.now(), ordering: .relaxed)
        var finished = false
        while !finished {
            do throws(DeviceError) {
                // Progress: the device plays what it holds. None for a while is a stall.
                let queued = output.queuedFrames()
                if heard == 0, written > 0, Self.now() - lastProgress.load(ordering: .relaxed) > Self.startNanoseconds {
                    // Never played a frame: a server that accepted the stream and never drives it.
                    throw DeviceError(device: output.device,
                                      message: "the sound server did not answer within \(AlsaPlayback.openTimeoutSeconds) s")
                }
                if written - Int64(queued) > heard {
                    heard = written - Int64(queued)
                    lastProgress.store(Self.now(), ordering: .relaxed)
                    if stalledSince.load(ordering: .relaxed) != 0 { endStall() }
                } else if stalledSince.load(ordering: .relaxed) == 0, queued > 0, heard > 0,
                          Self.now() - lastProgress.load(ordering: .relaxed) > Self.stallNanoseconds {
                    takeBack(&ring, written: &written, force: true)
                    engine.interrupt()
                    stalledSince.store(lastProgress.load(ordering: .relaxed), ordering: .relaxed)
                }
                // PipeWire's plugin reports a server gone as underrun after underrun, never as an
                // error: more than three in two seconds, and the device is opened again, as one lost.
                let now = Self.now()
                if now - xrunWindow.since > 2_000_000_000 {
                    xrunWindow = (output.xrunCount, now)
                } else if output.xrunCount > xrunWindow.count + 3 {
                    stalledSince.store(0, ordering: .relaxed)
                    xrunWindow = (output.xrunCount, now)
                    throw DeviceError(device: output.device, message: "the sound server went away", isLost: true)
                }
                if stalledSince.load(ordering: .relaxed) != 0 {
                    // Nothing is written while the device takes nothing, but commands are taken
                    // (a stop ends the play at once), and a little silence is kept queued so
                    // that the device's return shows as progress.
                    if engine.hasQueuedCommands { finished = takeCommandsWithoutSound(buffer, block: block) }
                    if queued < block, try output.writableFrames() >= block {
                        buffer.update(repeating: 0, count: block * channels)
                        written += Int64(try writeAll(buffer, frameCount: block))
                    }
                    if !finished { sleep(milliseconds: 20) }
                    continue
                }
                if engine.hasQueuedCommands { takeBack(&ring, written: &written) }
                var room = try output.writableFrames()
                while room >= block {
                    let slot = ring.push(start: written)
                    engine.saveCheckpoint(slot)
                    let frames = engine.render(into: buffer, frameCount: block)
                    guard frames > 0 else {
                        ring.removeLast()
                        finished = true
                        break
                    }
                    let taken = try writeAll(buffer, frameCount: frames)
                    written += Int64(taken)
                    room -= frames
                    if taken < frames || engine.hasQueuedCommands { break }
                }
                publishHeard(&ring, written: written)
                if finished || engine.hasQueuedCommands || room >= block { continue }
                sleep(milliseconds: (wakeRoom - room) * 1000 / rate)
            } catch where error.isLost {
                finished = waitForTheDevice(after: &ring, buffer: buffer, block: block)
                written = 0
                heard = 0
                lastProgress.store(Self.now(), ordering: .relaxed)
            }
        }
        // The end: what is queued plays out, and the state the control side reads follows it.
        // A device that stops taking frames (a frozen sound server) is not waited for past a
        // second without progress: what it still holds is dropped.
        var least = Int.max
        var stalledMilliseconds = 0
        while output.isOpen, case let queued = output.queuedFrames(), queued > 0 {
            publishHeard(&ring, written: written)
            if queued < least {
                least = queued
                stalledMilliseconds = 0
            } else if queued > least + block {
                // More queued than a moment ago, and nothing written: the device has taken the
                // last frames into the cycle it plays now and fills the rest with silence of its
                // own (PipeWire's plugin then reports a quantum or two of it, again and again).
                // The last frames are heard within what was queued before.
                sleep(milliseconds: least * 1000 / rate + 1)
                break
            } else if stalledMilliseconds > 1000 {
                output.drop()
                break
            }
            let milliseconds = min(10, max(1, queued * 1000 / rate))
            sleep(milliseconds: milliseconds)
            stalledMilliseconds += milliseconds
        }
    }

    /// The device went away: the play is interrupted where it was heard last, and the device is
    /// opened again and again (a short backoff) until it comes back or a stop comes.
    /// - Returns: whether the play ended (a stop) instead.
    private func waitForTheDevice(after ring: inout CheckpointRing, buffer: UnsafeMutablePointer<Int16>, block: Int) -> Bool {
        if ring.count > 0 {
            engine.restoreCheckpoint(ring.slot(0))
            ring.removeFrom(0)
        }
        engine.interrupt()
        lostSince.store(Self.now(), ordering: .relaxed)
        losses.add(1, ordering: .relaxed)
        var backoff = 100
        while true {
            if engine.hasQueuedCommands, takeCommandsWithoutSound(buffer, block: block) {
                lostSince.store(0, ordering: .relaxed)
                return true
            }
            sleep(milliseconds: backoff)
            backoff = min(1_000, backoff * 2)
            do throws(DeviceError) {
                try output.reopen()
                lostSince.store(0, ordering: .relaxed)
                returns.add(1, ordering: .relaxed)
                engine.endInterruption()
                return false
            } catch {
                continue
            }
        }
    }

    /// While the device takes nothing: lets the engine take the commands sent, rendering into
    /// nothing (it is paused: silence). - Returns: whether the play ended (a stop).
    private func takeCommandsWithoutSound(_ buffer: UnsafeMutablePointer<Int16>, block: Int) -> Bool {
        engine.render(into: buffer, frameCount: block) == 0 || engine.hasFinished
    }

    /// The device moves again after a stall: the play goes on from the start of the
    /// interrupted breath cycle or cue.
    private func endStall() {
        let since = stalledSince.exchange(0, ordering: .relaxed)
        lastStallMilliseconds.store(Int((Self.now() - since) / 1_000_000), ordering: .relaxed)
        stalls.add(1, ordering: .relaxed)
        engine.endInterruption()
    }

    /// Writes every frame, waiting for room when the device takes fewer than it said it had,
    /// but not for more than 100 ms without progress (a stall follows, and takes the rest back).
    /// - Returns: the frames written.
    private func writeAll(_ samples: UnsafePointer<Int16>, frameCount: Int) throws(DeviceError) -> Int {
        let channels = engine.timeline.channelCount
        var offset = 0
        var idle = 0
        while true {
            let taken = try output.writeAvailable(samples + offset * channels, frameCount: frameCount - offset)
            offset += taken
            if offset >= frameCount { return offset }
            idle = taken > 0 ? 0 : idle + 5
            if idle > 100 { return offset }
            sleep(milliseconds: 5)
        }
    }

    /// Sleeps up to `milliseconds` (at least 1), or until a command is sent. Allocates nothing.
    private func sleep(milliseconds: Int) {
        let timeout = Int32(clamping: max(1, milliseconds))
        if let wakeup = engine.wakeup { wakeup.wait(timeoutMilliseconds: timeout) } else { usleep(UInt32(timeout) * 1000) }
    }

    /// Takes back the queued blocks that are not yet on their way out, and puts the engine
    /// back to the first of them: the commands waiting take effect there.
    private func takeBack(_ ring: inout CheckpointRing, written: inout Int64, force: Bool = false) {
        let queued = force ? Int(written) : output.queuedFrames()
        let allowed = min(output.rewindableFrames(), queued) - marginFrames
        guard allowed > 0, let index = ring.first(startingAtOrAfter: written - Int64(allowed)) else { return }
        let start = ring.start(index)
        guard start < written, output.rewind(Int(written - start)) > 0 else { return }
        engine.restoreCheckpoint(ring.slot(index))
        ring.removeFrom(index)
        written = start
    }

    /// Publishes the state of the block being heard now, and forgets the blocks before it.
    private func publishHeard(_ ring: inout CheckpointRing, written: Int64) {
        let heard = written - Int64(output.queuedFrames())
        guard let index = ring.last(startingAtOrBefore: heard) else { return }
        engine.publishCheckpoint(ring.slot(index))
        ring.removeBefore(index)
    }
}

/// The checkpoints of the blocks in the device buffer, oldest first: where each block starts
/// (frames written before it) and the engine's checkpoint slot that holds its state.
///
/// Thread-safety: the playback thread only. Allocates only in `init`.
struct CheckpointRing {
    private var starts: [Int64]
    private var first = 0
    private(set) var count = 0

    init(capacity: Int) {
        starts = Array(repeating: 0, count: max(1, capacity))
    }

    /// The checkpoint slot of the `index`-th block (0 the oldest).
    func slot(_ index: Int) -> Int { (first + index) % starts.count }

    func start(_ index: Int) -> Int64 { starts[slot(index)] }

    /// Adds a block starting at `start`; when full, the oldest is forgotten (it can no longer be taken back).
    /// - Returns: its slot.
    mutating func push(start: Int64) -> Int {
        if count == starts.count { removeBefore(1) }
        let slot = slot(count)
        starts[slot] = start
        count += 1
        return slot
    }

    mutating func removeLast() { count = max(0, count - 1) }

    /// Forgets the blocks from `index` on.
    mutating func removeFrom(_ index: Int) { count = min(count, index) }

    /// Forgets the blocks before `index`.
    mutating func removeBefore(_ index: Int) {
        let removed = min(index, count)
        first = (first + removed) % starts.count
        count -= removed
    }

    /// The oldest block starting at or after `frame`.
    func first(startingAtOrAfter frame: Int64) -> Int? {
        (0..<count).first { start($0) >= frame }
    }

    /// The newest block starting at or before `frame`.
    func last(startingAtOrBefore frame: Int64) -> Int? {
        (0..<count).last { start($0) <= frame }
    }
}
