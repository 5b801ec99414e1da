/// How breath pacing sounds.
public enum ToneStyle: String, Sendable, CaseIterable {
    /// A soft tone rising on the inhale and falling on the exhale.
    case glide
    /// A bell struck at each phase start, ringing through the phase.
    case bell
    /// No tones; voice only.
    case off
}
