/// How much of what psoas plays reaches the microphone, and how late: the played sound's
/// envelope, scaled by ``coupling`` and delayed by ``delayHops``, is what the microphone's
/// envelope holds of it.
///
/// Breath noise changes slowly (a phase lasts seconds); the played sound's envelope moves quickly
/// too (syllables, a bell's strike, the surf's swell). So the estimate compares only the quick
/// part of both envelopes (each minus its own trend over ``trendSeconds``): a least-squares
/// slope between the two, at each delay up to ``maximumDelaySeconds``, remembered over about
/// ``memorySeconds``; the delay with the strongest correlation wins. Breath noise that happens
/// to change with the played sound biases it only for the moment.
///
/// Thread-safety: a value type; each copy belongs to one thread. Allocates only in `init`.
public struct LeakageEstimate: Sendable {
    public static let trendSeconds = 0.5
    public static let memorySeconds = 30.0
    /// The longest delay looked for between what is played and what the microphone hears of it.
    public static let maximumDelaySeconds = 0.3
    /// The largest coupling believed: the microphone's envelope may be louder than the played
    /// signal's (its gain), but not by more than this.
    public static let maximumCoupling = 16.0

    /// The played sound's envelope power that reaches the microphone, per unit played.
    public private(set) var coupling = 0.0
    /// The delay of that copy, in hops.
    public private(set) var delayHops = 0

    private let trendWeight: Double
    private let memoryWeight: Double
    private var microphoneTrend = 0.0
    private var playedTrend = 0.0
    /// The played envelope's recent quick parts and values, newest at `newest`.
    private var playedQuick: [Double]
    private var playedValues: [Double]
    private var newest = 0
    private var cross: [Double]
    private var playedEnergy: [Double]
    private var microphoneEnergy = 0.0

    /// - Parameter hopsPerSecond: how many envelope values a second brings.
    public init(hopsPerSecond: Int) {
        let hops = Double(hopsPerSecond)
        trendWeight = 1 / (Self.trendSeconds * hops)
        memoryWeight = 1 / (Self.memorySeconds * hops)
        let lags = Int((Self.maximumDelaySeconds * hops).rounded()) + 1
        playedQuick = Array(repeating: 0, count: lags)
        playedValues = Array(repeating: 0, count: lags)
        cross = Array(repeating: 0, count: lags)
        playedEnergy = Array(repeating: 0, count: lags)
    }

    /// Takes the next hop of both envelopes (``BandEnvelope`` powers).
    /// - Returns: the played power the microphone holds in this hop: the delayed played value
    ///   times the coupling.
    public mutating func update(microphone: Double, played: Double) -> Double {
        microphoneTrend += trendWeight * (microphone - microphoneTrend)
        playedTrend += trendWeight * (played - playedTrend)
        let microphoneQuick: Double = microphone - microphoneTrend
        newest = (newest + 1) % playedQuick.count
        playedQuick[newest] = played - playedTrend
        playedValues[newest] = played
        let keep: Double = 1 - memoryWeight
        microphoneEnergy = keep * microphoneEnergy + microphoneQuick * microphoneQuick
        var best = 0.0
        for lag in 0..<playedQuick.count {
            let quick = playedQuick[(newest - lag + playedQuick.count) % playedQuick.count]
            cross[lag] = keep * cross[lag] + microphoneQuick * quick
            playedEnergy[lag] = keep * playedEnergy[lag] + quick * quick
            let product: Double = playedEnergy[lag] * microphoneEnergy
            guard cross[lag] > 0, product > 0 else { continue }
            let correlation: Double = cross[lag] / product.squareRoot()
            if correlation > best {
                best = correlation
                delayHops = lag
            }
        }
        coupling = best > 0 && playedEnergy[delayHops] > 0
            ? min(Self.maximumCoupling, cross[delayHops] / playedEnergy[delayHops]) : 0
        let delayed = playedValues[(newest - delayHops + playedValues.count) % playedValues.count]
        return coupling * delayed
    }
}
