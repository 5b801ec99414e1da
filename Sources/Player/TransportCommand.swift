import BreathSensing

/// What a person (keys) or a program (`psoas ctl`) asks the player to do.
public enum TransportCommand: Sendable, Equatable {
    case pause
    case resume
    case toggle
    /// Skip to the next step.
    case next
    /// Restart the step, or go to the previous one within the first 2 s of a step.
    case back
    /// Lengthen the current breathing step (hold, breathe, rest, move, sink) by one cycle.
    case extend
    /// End a `wait` step.
    case continueWait
    /// Fade out, say "Druck sofort lösen", then pause.
    case safety
    /// Change the volume by this many decibels.
    case volume(decibels: Double)
    case stop
    /// `--follow-breath` has a usable signal (`true`): exhale cues wait for the exhale; or has
    /// lost it (`false`): they start as planned.
    case followBreath(Bool)
    /// A breath phase detected, with where the play was heard then (timeline frames).
    case breathHeard(SensedPhase, at: Int64)
    /// Stretch (positive) or shorten (negative) the pacing by up to this many frames at the
    /// next cycle boundary where that can be done without touching a cue (at most a fifth of
    /// the cycle); replaces one asked for before and not done yet.
    case adapt(frames: Int64)
}
