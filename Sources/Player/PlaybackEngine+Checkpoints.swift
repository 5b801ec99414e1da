import Sound

// MARK: - Taking queued audio back

/// A playback thread with a long device buffer keeps the engine's state at the start of each
/// block it queues. A command then takes effect on the first frame not yet heard: the thread
/// takes the unheard blocks back from the device, puts the engine back to the checkpoint of the
/// first of them, and renders again from there with the command applied — the same frames as
/// if the command had come just before that block. The frames rendered again up to the
/// command are the same bits (the renderer's output depends only on its position; the
/// limiter's memory is restored), so the join does not click.
///
/// The state the control side reads is a checkpoint's too: the one of the block being heard,
/// so that `status`, events and the practice log follow the sound, not the render.
extension PlaybackEngine {
    /// Everything the playback thread changes as it renders, at the start of a block.
    struct Checkpoint {
        var state: State
        var fade: LevelRamp
        var volume: LevelRamp
        var volumeDecibels: Double
        var resumeTarget: Int64
        var played: Int64
        var covered: Int64
        var detour: Detour
        var following: Following
        var interrupted: Bool
        var interruptionOver: Bool
        var position: Int64
        var counts: Counts
        var completed: Bool?
        var limiter: Limiter.Memory
        /// The state as the control side reads it, from this block's first frame on.
        var snapshot: Snapshot
    }

    /// Makes room for `count` checkpoints (allocated here, once, before playing).
    public func reserveCheckpoints(_ count: Int) {
        checkpoints.reserve(count, limiterSamples: limiter.memoryCount)
    }

    /// How many checkpoints there is room for.
    public var checkpointCapacity: Int { checkpoints.capacity }

    /// Keeps the state now in checkpoint `slot`, the commands sent so far taken first (so that
    /// going back to this block later keeps them). Allocates nothing.
    public func saveCheckpoint(_ slot: Int) {
        takeCommands()
        let memory = limiter.save(into: checkpoints.limiterFrames(slot))
        checkpoints.slots![slot] = Checkpoint(
            state: state, fade: fade, volume: volume, volumeDecibels: volumeDecibels, resumeTarget: resumeTarget,
            played: played, covered: covered, detour: detour, following: following, interrupted: interrupted,
            interruptionOver: interruptionOver, position: renderer.position, counts: counts,
            completed: completed, limiter: memory, snapshot: currentSnapshot)
    }

    /// Puts the engine back to checkpoint `slot`: the next block renders the same frames as
    /// the block rendered after it was saved, but for commands taken now. Allocates nothing.
    public func restoreCheckpoint(_ slot: Int) {
        let checkpoint = checkpoints.slots![slot]
        state = checkpoint.state
        fade = checkpoint.fade
        volume = checkpoint.volume
        volumeDecibels = checkpoint.volumeDecibels
        resumeTarget = checkpoint.resumeTarget
        played = checkpoint.played
        covered = checkpoint.covered
        detour = checkpoint.detour
        following = checkpoint.following
        interrupted = checkpoint.interrupted
        interruptionOver = checkpoint.interruptionOver
        renderer.seek(to: checkpoint.position)
        counts = checkpoint.counts
        completed = checkpoint.completed
        limiter.restore(checkpoint.limiter, from: checkpoints.limiterFrames(slot))
    }

    /// Publishes the state of checkpoint `slot` (the block being heard). Allocates nothing.
    public func publishCheckpoint(_ slot: Int) {
        publish(checkpoints.slots![slot].snapshot)
    }
}

/// The room for checkpoints: allocated before playing, reused in a ring by the playback thread.
///
/// Thread-safety: the playback thread only.
final class CheckpointStore {
    private(set) var capacity = 0
    private(set) var slots: UnsafeMutablePointer<PlaybackEngine.Checkpoint>?
    private var limiterStorage: UnsafeMutablePointer<Float>?
    private var limiterSamples = 0

    init() {}

    func reserve(_ count: Int, limiterSamples: Int) {
        release()
        capacity = count
        self.limiterSamples = limiterSamples
        slots = .allocate(capacity: count)
        limiterStorage = .allocate(capacity: max(1, count * limiterSamples))
        limiterStorage?.initialize(repeating: 0, count: max(1, count * limiterSamples))
    }

    func limiterFrames(_ slot: Int) -> UnsafeMutablePointer<Float> {
        limiterStorage! + slot * limiterSamples
    }

    private func release() {
        // A checkpoint holds enums and structs of plain values only: nothing to deinitialise.
        slots?.deallocate()
        limiterStorage?.deallocate()
        slots = nil
        limiterStorage = nil
    }

    deinit { release() }
}
