/// Breath phases from blocks of microphone samples: the breath-noise envelope
/// (``BandEnvelope``), the played sound's share in it taken out (``LeakageEstimate``), and the
/// phase changes found in what is left (``BreathDetector``). While the leak outweighs what is
/// left (a cue spoken loudly near the microphone), no change is found: one that happened then is
/// found, late, when the leak falls back.
///
/// Pure: it takes samples and returns changes, so a test can feed it a synthetic breather.
///
/// Thread-safety: one thread (the capture thread) uses it. It allocates only in `init`, and
/// when it returns changes.
public struct BreathSensor: Sendable {
    /// How much louder than the breath left the estimated leak may be before the phase is held.
    public static let gateRatio = 1.0

    public let sampleRate: Int
    private var microphone: BandEnvelope
    private var played: BandEnvelope
    private var lastPlayed = 0.0
    public private(set) var leakage: LeakageEstimate
    public private(set) var detector: BreathDetector
    /// Samples taken so far.
    public private(set) var frame: Int64 = 0

    /// - Parameter sampleRate: the capture rate (and the rate of the played samples given).
    public init(sampleRate: Int, options: BreathDetector.Options = BreathDetector.Options()) {
        self.sampleRate = sampleRate
        microphone = BandEnvelope(sampleRate: sampleRate)
        played = BandEnvelope(sampleRate: sampleRate)
        leakage = LeakageEstimate(hopsPerSecond: BandEnvelope.hopsPerSecond)
        detector = BreathDetector(hopsPerSecond: BandEnvelope.hopsPerSecond, options: options)
    }

    /// What the microphone gives so far.
    public var signal: SensedSignal { detector.signal }

    /// Takes the next samples of the microphone and, when known, what psoas played at the same
    /// moments (mono, −1…1, at ``sampleRate``; as many as the microphone's).
    /// - Returns: the phase changes found in them, oldest first.
    public mutating func process(_ samples: UnsafeBufferPointer<Float>, played playedSamples: UnsafeBufferPointer<Float>? = nil)
        -> [BreathChange] {
        var changes: [BreathChange] = []
        if playedSamples == nil { lastPlayed = 0 }
        for index in 0..<samples.count {
            // Both envelopes take their samples in step, so their hops end together.
            if let playedSamples, index < playedSamples.count, let value = played.add(playedSamples[index]) {
                lastPlayed = value
            }
            frame += 1
            guard let power = microphone.add(samples[index]) else { continue }
            let leaked = leakage.update(microphone: power, played: lastPlayed)
            // What is left of the breath: never below a twentieth of what arrived, so a coupling
            // estimated a little high does not leave nothing.
            let breath = max(power - leaked, power * 0.05)
            // Where the leak outweighs what is left, what is left is mostly the taking out's error:
            // the phase is held until the played sound lets the breath through again.
            guard leaked < Self.gateRatio * breath else {
                detector.hold()
                continue
            }
            if let phase = detector.update(power: breath) { changes.append(BreathChange(phase, at: frame)) }
        }
        return changes
    }

    /// ``process(_:played:)`` for arrays.
    public mutating func process(_ samples: [Float], played playedSamples: [Float]? = nil) -> [BreathChange] {
        samples.withUnsafeBufferPointer { microphone in
            guard let playedSamples else { return process(microphone, played: nil) }
            return playedSamples.withUnsafeBufferPointer { process(microphone, played: $0) }
        }
    }
}
