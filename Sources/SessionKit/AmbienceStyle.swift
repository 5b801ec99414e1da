/// A soft bed of shaped noise under the whole session, so that no stretch is dead air: it
/// swells with each inhale and ebbs with each exhale of the paced breath, rests at a middle
/// level between breathing steps, fades in and out with the session, and is ducked under the
/// voice like the tones.
public enum AmbienceStyle: String, Sendable, CaseIterable {
    /// Low, dark noise that rises and falls like waves on a shore.
    case surf
    /// Brighter, steadier noise, like soft rain; it breathes less.
    case rain
    /// No bed.
    case off
}
