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
        /// Whether the pacing is held for the person's breath (`--follow-breath`): the position stays.
        public var isHolding: Bool = false
        /// Changes of the pacing made for the breath, and the last of them.
        public var adaptations: Int = 0
        public var lastAdaptation: Adaptation? = nil

        /// Before the first block: nothing played, nothing counted, no step yet.
        static let beforeStart = Snapshot(
            position: 0, playedFrames: 0, coveredFrames: 0, step: -1, mode: .playing, volumeDecibels: 0,
            completed: false, pauses: 0, resumes: 0, skips: 0, extends: 0, safetyStops: 0, waitsStarted: 0)
    }
}

/// How often each thing happened, counted by the playback thread as it renders (a plain value:
/// it goes back with the rest of the engine's state when queued audio is taken back).
struct Counts: Equatable, Sendable {
    var pauses = 0
    var resumes = 0
    var skips = 0
    var extends = 0
    var safetyStops = 0
    var waits = 0
    var adaptations = 0
    var lastAdaptation: PlaybackEngine.Adaptation?
}

/// The last ``PlaybackEngine/Snapshot`` published, field by field in atomics.
///
/// Thread-safety: ``publish(_:)`` from the playback thread (it allocates nothing); ``snapshot``
/// from any thread. Each value is read on its own (relaxed), not as one transaction.
final class SnapshotStore: Sendable {
    private let position = Atomic<Int64>(0)
    private let played = Atomic<Int64>(0)
    private let covered = Atomic<Int64>(0)
    private let step = Atomic<Int>(-1)
    private let mode = Atomic<Int>(0)
    /// Hundredths of a decibel.
    private let volume = Atomic<Int>(0)
    private let completed = Atomic<Bool>(false)
    private let pauses = Atomic<Int>(0)
    private let resumes = Atomic<Int>(0)
    private let skips = Atomic<Int>(0)
    private let extends = Atomic<Int>(0)
    private let safetyStops = Atomic<Int>(0)
    private let waits = Atomic<Int>(0)
    private let holding = Atomic<Bool>(false)
    private let adaptations = Atomic<Int>(0)
    /// The last adaptation's kind (0: none yet), position and frames.
    private let adaptationKind = Atomic<Int>(0)
    private let adaptationPosition = Atomic<Int64>(0)
    private let adaptationFrames = Atomic<Int64>(0)

    func publish(_ snapshot: PlaybackEngine.Snapshot) {
        position.store(snapshot.position, ordering: .relaxed)
        played.store(snapshot.playedFrames, ordering: .relaxed)
        covered.store(snapshot.coveredFrames, ordering: .relaxed)
        step.store(snapshot.step, ordering: .relaxed)
        mode.store(snapshot.mode.rawValue, ordering: .relaxed)
        volume.store(Int((snapshot.volumeDecibels * 100).rounded()), ordering: .relaxed)
        completed.store(snapshot.completed, ordering: .relaxed)
        pauses.store(snapshot.pauses, ordering: .relaxed)
        resumes.store(snapshot.resumes, ordering: .relaxed)
        skips.store(snapshot.skips, ordering: .relaxed)
        extends.store(snapshot.extends, ordering: .relaxed)
        safetyStops.store(snapshot.safetyStops, ordering: .relaxed)
        waits.store(snapshot.waitsStarted, ordering: .relaxed)
        holding.store(snapshot.isHolding, ordering: .relaxed)
        adaptationKind.store(snapshot.lastAdaptation?.kind.rawValue ?? 0, ordering: .relaxed)
        adaptationPosition.store(snapshot.lastAdaptation?.position ?? 0, ordering: .relaxed)
        adaptationFrames.store(snapshot.lastAdaptation?.frames ?? 0, ordering: .relaxed)
        // The count last: a reader that sees it changed sees the adaptation it counts.
        adaptations.store(snapshot.adaptations, ordering: .releasing)
    }

    var snapshot: PlaybackEngine.Snapshot {
        let adaptationCount = adaptations.load(ordering: .acquiring)
        let last = PlaybackEngine.AdaptationKind(rawValue: adaptationKind.load(ordering: .relaxed)).map {
            PlaybackEngine.Adaptation(kind: $0, position: adaptationPosition.load(ordering: .relaxed),
                                      frames: adaptationFrames.load(ordering: .relaxed))
        }
        return PlaybackEngine.Snapshot(
            position: position.load(ordering: .relaxed),
            playedFrames: played.load(ordering: .relaxed),
            coveredFrames: covered.load(ordering: .relaxed),
            step: step.load(ordering: .relaxed),
            mode: PlaybackEngine.Mode(rawValue: mode.load(ordering: .relaxed)) ?? .playing,
            volumeDecibels: Double(volume.load(ordering: .relaxed)) / 100,
            completed: completed.load(ordering: .relaxed),
            pauses: pauses.load(ordering: .relaxed),
            resumes: resumes.load(ordering: .relaxed),
            skips: skips.load(ordering: .relaxed),
            extends: extends.load(ordering: .relaxed),
            safetyStops: safetyStops.load(ordering: .relaxed),
            waitsStarted: waits.load(ordering: .relaxed),
            isHolding: holding.load(ordering: .relaxed), adaptations: adaptationCount, lastAdaptation: last)
    }
}
