import Synchronization

extension PlaybackEngine {
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

        /// Before the first block: nothing played, nothing counted, no step yet.
        static let beforeStart = Snapshot(
            position: 0, playedFrames: 0, coveredFrames: 0, step: -1, mode: .playing, volumeDecibels: 0,
            completed: false, pauses: 0, resumes: 0, skips: 0, extends: 0, safetyStops: 0, waitsStarted: 0)
    }
}

/// Lock-free counters of what happened, for events and the practice log.
///
/// Thread-safety: the playback thread adds, any thread reads.
final class Counters: Sendable {
    let pauses = Atomic<Int>(0)
    let resumes = Atomic<Int>(0)
    let skips = Atomic<Int>(0)
    let extends = Atomic<Int>(0)
    let safetyStops = Atomic<Int>(0)
    let waits = Atomic<Int>(0)
}

/// The values the playback thread publishes after each block, and the counters, read as one
/// ``PlaybackEngine/Snapshot``.
///
/// Thread-safety: ``publish(position:playedFrames:coveredFrames:step:mode:volumeDecibels:)``
/// and ``finish(completed:)`` from the playback thread (they allocate nothing); ``snapshot``
/// from any thread. Each value is read on its own (relaxed), not as one transaction.
final class SnapshotStore: Sendable {
    let counters = Counters()
    private let position = Atomic<Int64>(0)
    private let played = Atomic<Int64>(0)
    private let covered = Atomic<Int64>(0)
    private let step = Atomic<Int>(0)
    private let mode = Atomic<Int>(0)
    /// Hundredths of a decibel.
    private let volume = Atomic<Int>(0)
    private let completed = Atomic<Bool>(false)

    func publish(position: Int64, playedFrames: Int64, coveredFrames: Int64, step: Int,
                 mode: PlaybackEngine.Mode, volumeDecibels: Double) {
        self.position.store(position, ordering: .relaxed)
        played.store(playedFrames, ordering: .relaxed)
        covered.store(coveredFrames, ordering: .relaxed)
        self.step.store(step, ordering: .relaxed)
        self.mode.store(mode.rawValue, ordering: .relaxed)
        volume.store(Int((volumeDecibels * 100).rounded()), ordering: .relaxed)
    }

    /// The session has ended: by reaching its end (`completed`) or by a stop.
    func finish(completed: Bool) {
        self.completed.store(completed, ordering: .relaxed)
    }

    var snapshot: PlaybackEngine.Snapshot {
        PlaybackEngine.Snapshot(
            position: position.load(ordering: .relaxed),
            playedFrames: played.load(ordering: .relaxed),
            coveredFrames: covered.load(ordering: .relaxed),
            step: step.load(ordering: .relaxed),
            mode: PlaybackEngine.Mode(rawValue: mode.load(ordering: .relaxed)) ?? .playing,
            volumeDecibels: Double(volume.load(ordering: .relaxed)) / 100,
            completed: completed.load(ordering: .relaxed),
            pauses: counters.pauses.load(ordering: .relaxed),
            resumes: counters.resumes.load(ordering: .relaxed),
            skips: counters.skips.load(ordering: .relaxed),
            extends: counters.extends.load(ordering: .relaxed),
            safetyStops: counters.safetyStops.load(ordering: .relaxed),
            waitsStarted: counters.waits.load(ordering: .relaxed))
    }
}
