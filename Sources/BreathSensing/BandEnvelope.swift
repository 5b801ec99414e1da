#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The breath-noise envelope of a signal: band-passed to ``band`` (where breath noise near a
/// microphone is strong and the voice's and the pacing tones' fundamentals are not), squared,
/// averaged over 10 ms hops and smoothed with a one-pole filter of ``smoothingSeconds``.
///
/// One value per hop, a power (full scale sine = 0.5), so two envelopes of signals that add up
/// add up too (for uncorrelated signals), which is what taking the played sound out relies on.
///
/// Thread-safety: a value type; each copy belongs to one thread.
public struct BandEnvelope: Sendable {
    /// The pass band, in Hz.
    public static let band = 500.0...4_000.0
    /// The smoothing's time constant.
    public static let smoothingSeconds = 0.1
    /// A hop: 10 ms.
    public static let hopsPerSecond = 100

    public let sampleRate: Int
    /// Frames per hop.
    public let hopFrameCount: Int
    private var highPass: Biquad
    private var lowPass: Biquad
    private var sum = 0.0
    private var filled = 0
    private var smoothed = 0.0
    private let smoothing: Double

    public init(sampleRate: Int) {
        self.sampleRate = sampleRate
        hopFrameCount = max(1, sampleRate / Self.hopsPerSecond)
        highPass = .highPass(cutoff: Self.band.lowerBound, sampleRate: sampleRate)
        lowPass = .lowPass(cutoff: Self.band.upperBound, sampleRate: sampleRate)
        let hopSeconds = Double(hopFrameCount) / Double(sampleRate)
        smoothing = 1 - exp(-hopSeconds / Self.smoothingSeconds)
    }

    /// Adds one sample (−1…1); returns the envelope when it completes a hop.
    public mutating func add(_ sample: Float) -> Double? {
        let filtered = lowPass.process(highPass.process(Double(sample)))
        sum += filtered * filtered
        filled += 1
        guard filled == hopFrameCount else { return nil }
        let power = sum / Double(hopFrameCount)
        sum = 0
        filled = 0
        smoothed += smoothing * (power - smoothed)
        return smoothed
    }
}
