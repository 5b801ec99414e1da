import AudioIO
import BreathSensing
import Foundation
import Planning
import Sound
import Synchronization

/// Listens on a capture device while a session plays (`--follow-breath`, experimental): a
/// thread of its own (`psoas.capture`) reads the microphone in 10 ms blocks and feeds a
/// ``BreathSensor``, together with what psoas plays at the moment being heard, so the
/// playback's own sound leaking into the microphone is not taken for breath.
///
/// What is played comes from a second renderer of the same timeline, placed where the engine's
/// published state says the play is heard (between two publications, moved on by the frames
/// captured since); the engine and the playback thread are not touched. A pause, a wait or
/// a safety stop count as silence (a wait's ambience is not taken out); a hold of the pacing
/// (`--follow-breath`'s own) as the ambience the renderer plays there, its length in the hold
/// counted by the blocks captured since it began; and a cycle that `+` replays is taken out at
/// its next cycle's place, the play's own ``PlaybackEngine/Snapshot``.
///
/// Thread-safety: ``start()``, ``stop()``, ``takeDetections()`` and ``takeNotice()`` from the
/// control side; the capture thread only touches its own state and the two mutexes.
public final class BreathFollower: @unchecked Sendable {
    /// A phase change heard: where the play was, and how far from the paced change.
    public struct Detection: Sendable, Equatable {
        public var phase: SensedPhase
        /// The timeline's frame being heard when it was found.
        public var position: Int64
        /// Frames later (positive) or earlier than the paced change, when one is near.
        public var lag: Int64?
    }

    public let device: String
    private let capture: AlsaCapture
    private let engine: PlaybackEngine
    private let reference: Renderer
    private let paced: PacedBoundaries
    private let detections = Mutex<[Detection]>([])
    private let notice = Mutex<String?>(nil)
    private let stopping = Atomic<Bool>(false)
    private let done = Atomic<Bool>(true)
    private let usable = Atomic<Bool>(false)

    /// - Parameters:
    ///   - reference: a renderer of the engine's timeline of its own (not the engine's).
    public init(capture: AlsaCapture, engine: PlaybackEngine, reference: Renderer) {
        device = capture.device
        self.capture = capture
        self.engine = engine
        self.reference = reference
        paced = PacedBoundaries(engine.timeline)
    }

    /// Starts listening.
    public func start() {
        done.store(false, ordering: .releasing)
        let thread = Thread { [self] in run() }
        thread.name = "psoas.capture"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops listening and waits (at most half a second) for the thread to end.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        let deadline = Date().addingTimeInterval(0.5)
        while !done.load(ordering: .acquiring), Date() < deadline { usleep(2_000) }
    }

    /// The changes found since the last call, oldest first.
    public func takeDetections() -> [Detection] {
        detections.withLock { found in
            defer { found.removeAll(keepingCapacity: true) }
            return found
        }
    }

    /// Whether the signal is usable now: the pacing may follow it.
    public var isUsable: Bool { usable.load(ordering: .relaxed) }

    /// What the person should hear about the microphone, once.
    public func takeNotice() -> String? {
        notice.withLock { text in
            defer { text = nil }
            return text
        }
    }

    // MARK: - Capture thread

    private func run() {
        defer { done.store(true, ordering: .releasing) }
        let rate = engine.timeline.sampleRate
        let channelCount = engine.timeline.channelCount
        let block = max(1, rate / 100)
        var captured = [Int16](repeating: 0, count: block)
        var microphone = [Float](repeating: 0, count: block)
        var played = [Float](repeating: 0, count: block)
        var rendered = [Float](repeating: 0, count: block * channelCount)
        var sensor = BreathSensor(sampleRate: rate)
        var clock = HeardClock()
        var judged = false
        var following = false
        var heldAt: Int64 = -1
        var heldFor: Int64 = 0
        while !stopping.load(ordering: .acquiring) {
            do throws(DeviceError) {
                try captured.withUnsafeMutableBufferPointer { (samples: inout UnsafeMutableBufferPointer<Int16>) throws(DeviceError) in
                    guard let base = samples.baseAddress else { return }
                    try capture.read(into: base, frameCount: block)
                }
            } catch {
                notice.withLock { $0 = "follow-breath: the capture device '\(device)' failed (\(error.message)); pacing as planned" }
                if following {
                    usable.store(false, ordering: .relaxed)
                    engine.send(.followBreath(false))
                }
                return
            }
            for index in 0..<block { microphone[index] = Float(captured[index]) / 32_768 }
            let snapshot = engine.snapshot
            let position = clock.position(after: block, snapshot: snapshot)
            // While the pacing is held, what sounds is the ambience settling (a wait's sound),
            // as long into the hold as the blocks captured since it began.
            let holding = snapshot.mode == .playing && snapshot.isHolding
            heldFor = holding && heldAt == position ? heldFor + Int64(block) : 0
            heldAt = holding ? position : -1
            renderReference(at: position, playing: snapshot.mode == .playing, held: holding ? heldFor : nil,
                            volumeDecibels: snapshot.volumeDecibels, into: &played, scratch: &rendered,
                            channelCount: channelCount)
            let changes = sensor.process(microphone, played: played)
            // With a usable signal the engine hears each change at once: an exhale cue waits for it.
            if (sensor.signal == .usable) != following {
                following.toggle()
                usable.store(following, ordering: .relaxed)
                engine.send(.followBreath(following))
            }
            for change in changes {
                let lag = snapshot.mode == .playing ? paced.lag(of: change.phase, at: position) : nil
                if following {
                    // Said again with every change: a command the playback thread lost to a
                    // take-back cannot leave the engine following (or not) for good.
                    engine.send(.followBreath(true))
                    engine.send(.breathHeard(change.phase, at: position))
                }
                detections.withLock { $0.append(Detection(phase: change.phase, position: position, lag: lag)) }
            }
            if !judged, let text = Self.notice(for: sensor.signal, device: device) {
                judged = true
                notice.withLock { $0 = text }
            } else if sensor.signal == .usable {
                judged = true
            }
        }
    }

    /// What psoas plays at `position` (mono), as the sensor takes it; with `held`, what sounds
    /// that many frames into a hold of the pacing there.
    private func renderReference(at position: Int64, playing: Bool, held: Int64?, volumeDecibels: Double,
                                 into played: inout [Float], scratch: inout [Float], channelCount: Int) {
        let count = played.count
        guard playing, position < reference.frameCount else {
            for index in 0..<count { played[index] = 0 }
            return
        }
        if held != nil {
            if reference.position != position { reference.seek(to: position) }
        } else if abs(reference.position - position) > Int64(count) {
            reference.seek(to: position)
        }
        let gain = Float(pow(10, volumeDecibels / 20))
        let made = scratch.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            guard let held else { return reference.render(into: base, frameCount: count) }
            reference.renderHeld(into: base, frameCount: count, held: held)
            return count
        }
        for index in 0..<count {
            guard index < made else {
                played[index] = 0
                continue
            }
            var sum: Float = 0
            for channel in 0..<channelCount { sum += scratch[index * channelCount + channel] }
            played[index] = gain * sum / Float(channelCount)
        }
    }

    /// The words for a signal that gives nothing to follow; `nil` while it may still.
    static func notice(for signal: SensedSignal, device: String) -> String? {
        switch signal {
        case .silent:
            "follow-breath: no sound from the capture device '\(device)' (a muted or missing microphone?); pacing as planned"
        case .unmodulated:
            "follow-breath: the sound from '\(device)' does not rise and fall like breath (a headset microphone near the mouth works best); pacing as planned"
        case .listening, .usable:
            nil
        }
    }
}

/// The timeline frame being heard, from the engine's published state: its position, moved on
/// by the frames captured since it last changed while playing (not while the pacing is held).
///
/// Thread-safety: a value used by the capture thread.
struct HeardClock {
    private var published: Int64 = -1
    private var since: Int64 = 0

    mutating func position(after frames: Int, snapshot: PlaybackEngine.Snapshot) -> Int64 {
        if snapshot.position != published {
            published = snapshot.position
            since = 0
        } else if snapshot.mode == .playing, !snapshot.isHolding {
            since += Int64(frames)
        }
        return published + since
    }
}
