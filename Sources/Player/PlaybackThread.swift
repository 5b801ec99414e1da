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
    /// What stays queued when a command takes the rest back: a block, so that the device (and
    /// a sound server reading ahead of it) is never caught without the frames it is playing.
    private var marginFrames: Int { max(1, engine.timeline.sampleRate / 100) }

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
            case .short: try playShortQueue()
            case .rewindable, .unpaced: try playLongBuffer()
            }
            output.drain()
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
        while true {
            let frames = engine.render(into: buffer, frameCount: period)
            guard frames > 0 else { break }
            try output.write(buffer, frameCount: frames)
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
        var written: Int64 = 0
        var finished = false
        while !finished {
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
                try writeAll(buffer, frameCount: frames)
                written += Int64(frames)
                room -= frames
                if engine.hasQueuedCommands { break }
            }
            publishHeard(&ring, written: written)
            if finished || engine.hasQueuedCommands || room >= block { continue }
            sleep(milliseconds: (wakeRoom - room) * 1000 / rate)
        }
        // The end: what is queued plays out, and the state the control side reads follows it.
        while case let queued = output.queuedFrames(), queued > 0 {
            publishHeard(&ring, written: written)
            sleep(milliseconds: min(50, queued * 1000 / rate))
        }
    }

    /// Writes every frame, waiting for room when the device takes fewer than it said it had.
    private func writeAll(_ samples: UnsafePointer<Int16>, frameCount: Int) throws(DeviceError) {
        let channels = engine.timeline.channelCount
        var offset = 0
        while true {
            offset += try output.writeAvailable(samples + offset * channels, frameCount: frameCount - offset)
            if offset >= frameCount { return }
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
    private func takeBack(_ ring: inout CheckpointRing, written: inout Int64) {
        let queued = output.queuedFrames()
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
