import Planning

#if canImport(Glibc)
import Glibc
#endif

/// Synthesises the pacing tones, at unit level (the renderer applies the tone gain).
///
/// Every sine is a ``Rotor``: a point on the unit circle turned by a complex multiplication
/// each frame instead of a `sin` and an `exp` (about a tenth of a short play's CPU went to them),
/// set exactly every ``Rotor/anchorFrames`` frames so that rounding cannot build up.
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

    /// A soft tone whose pitch moves linearly from `start` to `end` Hz, fading in and out:
    /// `sin φ + 0.18 sin 2φ` with `φ = 2π (start·t + sweep·t²)`.
    static func glide(from start: Double, to end: Double, frameCount: Int, rate: Int) -> [Float] {
        let sampleRate = Double(rate)
        let duration = Double(frameCount) / sampleRate
        let attack = min(0.4, duration * 0.3)
        let release = min(0.6, duration * 0.35)
        let sweep = (end - start) / (2 * max(duration, 1e-9))
        let perFrame = 2 * Double.pi / sampleRate
        var phase = Rotor(phase: 0, step: perFrame * start, curve: perFrame * sweep / sampleRate)
        let envelope = Envelope(frameCount: frameCount, rate: rate, attack: attack, release: release)
        var samples = [Float](repeating: 0, count: frameCount)
        for index in 0..<frameCount {
            let (cosine, sine) = phase.next()
            // sin 2φ = 2 sin φ cos φ
            let tone: Double = sine + 0.36 * sine * cosine
            samples[index] = Float(0.8 * tone * envelope.level(at: index))
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
        var rotors = partials.map { partial in
            Rotor(phase: 0, step: 2 * Double.pi * frequency * partial.ratio / sampleRate,
                  decay: 1 / (3.0 / partial.ratio.squareRoot() * sampleRate))
        }
        let envelope = Envelope(frameCount: frameCount, rate: rate, attack: 0.006, release: min(0.5, duration / 2))
        var samples = [Float](repeating: 0, count: frameCount)
        for index in 0..<frameCount {
            var sum = 0.0
            for partial in partials.indices {
                sum += partials[partial].amplitude * rotors[partial].next().sine
            }
            samples[index] = Float(0.6 * sum * envelope.level(at: index))
        }
        return samples
    }

    /// A soft chime (D5 with a quiet octave) struck gently and dying away over its length, so
    /// that it has all but faded when the cue it announces begins.
    static func chime(frequency: Double, frameCount: Int, rate: Int) -> [Float] {
        let sampleRate = Double(rate)
        let duration = Double(frameCount) / sampleRate
        let step = 2 * Double.pi * frequency / sampleRate
        var fundamental = Rotor(phase: 0, step: step, decay: 1 / (0.7 * sampleRate))
        var octave = Rotor(phase: 0, step: 2 * step, decay: 1 / (0.35 * sampleRate))
        let envelope = Envelope(frameCount: frameCount, rate: rate, attack: 0.02, release: min(0.3, duration / 2))
        var samples = [Float](repeating: 0, count: frameCount)
        for index in 0..<frameCount {
            let tone: Double = fundamental.next().sine + 0.2 * octave.next().sine
            samples[index] = Float(0.8 * tone * envelope.level(at: index))
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

extension ToneSynth {
    /// `e^(−decay·n) · (cos φ(n), sin φ(n))` for n = 0, 1, 2 …, with `φ(n) = phase + step·n +
    /// curve·n²`: each frame the point is turned by the frame's increment, and the increment by
    /// a constant (a quadratic phase has a constant second difference). Every
    /// ``anchorFrames`` frames both are set from `sin`, `cos` and `exp` again.
    struct Rotor {
        static let anchorFrames = 4_096

        let phase: Double
        let step: Double
        let curve: Double
        let decay: Double
        private var frame = 0
        /// Frames until the next anchor.
        private var untilAnchor = 0
        private var real = 1.0
        private var imaginary = 0.0
        private var turnReal = 1.0
        private var turnImaginary = 0.0
        /// The increment's own turn: `e^(i·2·curve)`.
        private let bendReal: Double
        private let bendImaginary: Double

        init(phase: Double, step: Double, curve: Double = 0, decay: Double = 0) {
            self.phase = phase
            self.step = step
            self.curve = curve
            self.decay = decay
            bendReal = cos(2 * curve)
            bendImaginary = sin(2 * curve)
        }

        /// The next frame's cosine and sine (times the decay).
        mutating func next() -> (cosine: Double, sine: Double) {
            if untilAnchor == 0 {
                anchor()
                untilAnchor = Self.anchorFrames
            }
            untilAnchor -= 1
            let value = (real, imaginary)
            let nextReal: Double = real * turnReal - imaginary * turnImaginary
            let nextImaginary: Double = real * turnImaginary + imaginary * turnReal
            real = nextReal
            imaginary = nextImaginary
            let bentReal: Double = turnReal * bendReal - turnImaginary * bendImaginary
            let bentImaginary: Double = turnReal * bendImaginary + turnImaginary * bendReal
            turnReal = bentReal
            turnImaginary = bentImaginary
            frame += 1
            return value
        }

        /// Sets the point and its increment exactly for ``frame``.
        private mutating func anchor() {
            let n = Double(frame)
            let angle: Double = phase + step * n + curve * n * n
            let size: Double = exp(-decay * n)
            real = size * cos(angle)
            imaginary = size * sin(angle)
            // φ(n + 1) − φ(n) = step + curve·(2n + 1), and the decay of one frame.
            let increment: Double = step + curve * (2 * n + 1)
            let shrink: Double = exp(-decay)
            turnReal = shrink * cos(increment)
            turnImaginary = shrink * sin(increment)
        }
    }

    /// A tone's fade in and out: ``fade(_:attack:)`` at both ends, 1 between, worked out only
    /// where it is not 1.
    struct Envelope {
        let frameCount: Int
        let rate: Double
        let attack: Double
        let release: Double
        let attackEnd: Int
        let releaseStart: Int

        init(frameCount: Int, rate: Int, attack: Double, release: Double) {
            self.frameCount = frameCount
            self.rate = Double(rate)
            self.attack = attack
            self.release = release
            attackEnd = Int((attack * Double(rate)).rounded(.up)) + 1
            releaseStart = frameCount - Int((release * Double(rate)).rounded(.up)) - 1
        }

        @inline(__always)
        func level(at index: Int) -> Double {
            guard index < attackEnd || index > releaseStart else { return 1 }
            let time = Double(index) / rate
            let duration = Double(frameCount) / rate
            return fade(time, attack: attack) * fade(duration - time, attack: release)
        }
    }
}
