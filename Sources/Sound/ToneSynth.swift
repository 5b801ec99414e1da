import Planning

#if canImport(Glibc)
import Glibc
#endif

/// Synthesises the pacing tones, at unit level (the renderer applies the tone gain).
public enum ToneSynth {
    /// The lower and upper pitch of the glide, in Hz (G3 and D4).
    static let glideLow = 196.0
    static let glideHigh = 293.66

    /// The waveform of tone `name` lasting `frameCount` frames at `rate`.
    public static func waveform(_ name: ToneName, frameCount: Int, rate: Int) -> [Float] {
        switch name {
        case .inhale: glide(from: glideLow, to: glideHigh, frameCount: frameCount, rate: rate)
        case .exhale: glide(from: glideHigh, to: glideLow, frameCount: frameCount, rate: rate)
        case .bellInhale: bell(frequency: 523.25, frameCount: frameCount, rate: rate)
        case .bellHoldIn: bell(frequency: 659.25, frameCount: frameCount, rate: rate)
        case .bellExhale: bell(frequency: 440.0, frameCount: frameCount, rate: rate)
        case .bellHoldOut: bell(frequency: 392.0, frameCount: frameCount, rate: rate)
        case .chime: chime(frequency: 587.33, frameCount: frameCount, rate: rate)
        }
    }

    /// A soft tone whose pitch moves linearly from `start` to `end` Hz, fading in and out.
    static func glide(from start: Double, to end: Double, frameCount: Int, rate: Int) -> [Float] {
        let sampleRate = Double(rate)
        let duration = Double(frameCount) / sampleRate
        let attack = min(0.4, duration * 0.3)
        let release = min(0.6, duration * 0.35)
        let sweep = (end - start) / (2 * max(duration, 1e-9))
        var samples = [Float](repeating: 0, count: frameCount)
        for index in 0..<frameCount {
            let time = Double(index) / sampleRate
            let phase: Double = 2 * Double.pi * (start * time + sweep * time * time)
            let tone: Double = sin(phase) + 0.18 * sin(2 * phase)
            let envelope = fade(time, attack: attack) * fade(duration - time, attack: release)
            samples[index] = Float(0.8 * tone * envelope)
        }
        return samples
    }

    /// How loud tone `name` is mixed, on top of the tone gain: a bell's waveform keeps its strike
    /// within full scale, and this brings its loudness over a breathing step to the glide's.
    public static func gain(_ name: ToneName) -> Float {
        switch name {
        case .inhale, .exhale: 1
        case .bellInhale, .bellHoldIn, .bellExhale, .bellHoldOut: bellGain
        case .chime: chimeGain
        }
    }

    /// The chime's gain: −30 LUFS over its length (libebur128), as loud as the glide, 12 LU
    /// under the voice.
    static let chimeGain: Float = 1.94

    /// The bell's gain: its loudness over a 4-6 breathing step equals the glide's (libebur128).
    static let bellGain: Float = 2.16

    /// A bell: three inharmonic partials struck together, the lowest ringing on with a 3 s decay
    /// (the higher ones die sooner), fading out over the last half second of its phase.
    static func bell(frequency: Double, frameCount: Int, rate: Int) -> [Float] {
        let sampleRate = Double(rate)
        let duration = Double(frameCount) / sampleRate
        let partials: [(ratio: Double, amplitude: Double)] = [(1, 1), (2.76, 0.35), (5.4, 0.12)]
        var samples = [Float](repeating: 0, count: frameCount)
        for index in 0..<frameCount {
            let time = Double(index) / sampleRate
            var sum = 0.0
            for partial in partials {
                let decay = exp(-time / (3.0 / partial.ratio.squareRoot()))
                sum += partial.amplitude * decay * sin(2 * Double.pi * frequency * partial.ratio * time)
            }
            let envelope = fade(time, attack: 0.006) * fade(duration - time, attack: min(0.5, duration / 2))
            samples[index] = Float(0.6 * sum * envelope)
        }
        return samples
    }

    /// A soft chime (D5 with a quiet octave) struck gently and dying away over its length, so
    /// that it has all but faded when the cue it announces begins.
    static func chime(frequency: Double, frameCount: Int, rate: Int) -> [Float] {
        let sampleRate = Double(rate)
        let duration = Double(frameCount) / sampleRate
        var samples = [Float](repeating: 0, count: frameCount)
        for index in 0..<frameCount {
            let time = Double(index) / sampleRate
            let phase = 2 * Double.pi * frequency * time
            let tone = exp(-time / 0.7) * sin(phase) + 0.2 * exp(-time / 0.35) * sin(2 * phase)
            let envelope = fade(time, attack: 0.02) * fade(duration - time, attack: min(0.3, duration / 2))
            samples[index] = Float(0.8 * tone * envelope)
        }
        return samples
    }

    /// A raised-cosine ramp: 0 at `time` 0, 1 from `attack` on.
    static func fade(_ time: Double, attack: Double) -> Double {
        guard attack > 0 else { return 1 }
        if time <= 0 { return 0 }
        if time >= attack { return 1 }
        return 0.5 - 0.5 * cos(Double.pi * time / attack)
    }
}
