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
}
