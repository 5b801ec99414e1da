/// A gain that moves toward its target one frame at a time, so no change of level clicks:
/// the engine's fade (pause, resume, skip, stop) and its volume are both one.
///
/// Thread-safety: a value type, used by the playback thread only.
package struct LevelRamp {
    package enum Curve {
        /// Moves by `step` per frame: the fade, from 0 to 1 and back.
        case linear
        /// Moves by `step` times the level per frame: even in decibels, as a volume change should be.
        case exponential
    }

    /// The gain now.
    package var level: Float
    /// Where ``advance()`` moves ``level``; it stops there exactly.
    package var target: Float
    /// How far the level moves in one frame (relative to the level for an exponential curve).
    package let step: Float
    package let curve: Curve

    /// A ramp at rest at `level` that takes `seconds` at `sampleRate` for a move of 1 (linear)
    /// or for a move of about 8.7 dB (exponential: `step` is its relative step).
    package init(level: Float, curve: Curve, seconds: Double, sampleRate: Int) {
        self.level = level
        self.target = level
        self.curve = curve
        let rate = Float(sampleRate)
        step = 1 / (Float(seconds) * rate)
    }

    /// Whether the ramp rests at `value`: level and target both there.
    package func rests(at value: Float) -> Bool {
        level == value && target == value
    }

    /// The frames a linear ramp takes from its level down to 0, rounded up.
    package var framesToSilence: Int {
        Int((level / step).rounded(.up))
    }

    /// Moves the level one frame toward the target.
    @inline(__always)
    package mutating func advance() {
        guard level != target else { return }
        let delta = curve == .linear ? step : step * level
        level = level < target ? min(target, level + delta) : max(target, level - delta)
    }
}
