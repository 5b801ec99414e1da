#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A breath phase as the microphone hears it.
public enum SensedPhase: String, Sendable, Equatable {
    /// The quiet part: the inhale, and any hold (a headset microphone hears them alike).
    case inhale
    /// The louder, broadband part: the breath going out.
    case exhale
}

/// A detected change of phase: `phase` begins, seen at `frame` (counted from the first
/// sample given, at the capture rate). The change itself happened a little earlier: the
/// difference is the detection lag.
public struct BreathChange: Sendable, Equatable {
    public var phase: SensedPhase
    public var frame: Int64

    public init(_ phase: SensedPhase, at frame: Int64) {
        self.phase = phase
        self.frame = frame
    }
}

/// Whether the microphone gives something to follow.
public enum SensedSignal: String, Sendable, Equatable {
    /// Not heard long enough to tell (the first ``BreathDetector/Options/judgementSeconds``).
    case listening
    /// Phase changes come.
    case usable
    /// Next to nothing arrives (a muted or missing microphone).
    case silent
    /// Sound arrives, but its level does not rise and fall like breath (steady noise, too far away).
    case unmodulated
}

/// Finds exhales in the breath-noise envelope: a floor and a peak of the level, and two
/// thresholds between them (hysteresis): the exhale begins above the upper one and ends below
/// the lower one. A phase shorter than ``Options/minimumPhaseSeconds`` is not believed.
///
/// The floor and the peak are percentiles (``Options/floorPercentile``,
/// ``Options/peakPercentile``) of the levels of the last ``Options/windowSeconds``: they follow
/// a microphone moved nearer or farther within a few breaths, and a moment's silence or a
/// cough moves them little.
///
/// Thread-safety: a value type; each copy belongs to one thread. Allocates nothing.
public struct BreathDetector: Sendable {
    public struct Options: Sendable {
        /// Where between floor and peak (0…1) an exhale begins, and where it ends.
        public var upperThreshold = 0.55
        public var lowerThreshold = 0.35
        /// The least difference between peak and floor, in dB, that counts as breathing.
        public var minimumContrastDecibels = 4.0
        /// The levels the floor and the peak are taken from: those of the last this many seconds.
        public var windowSeconds = 20.0
        public var floorPercentile = 0.1
        public var peakPercentile = 0.95
        /// No phase is found before this much has been heard.
        public var minimumHeardSeconds = 2.0
        /// A phase at least this long; a change sooner after the last one is ignored.
        public var minimumPhaseSeconds = 0.8
        /// Below this band level (dB full scale) the microphone counts as silent.
        public var silenceDecibels = -85.0
        /// How long the signal is heard before it is judged, and how long without a phase
        /// change it may go before it counts as unmodulated again.
        public var judgementSeconds = 20.0

        public init() {}
    }

    public let options: Options
    public let hopsPerSecond: Int
    /// The phase now (`nil` until the first is found).
    public private(set) var phase: SensedPhase?
    private var levels: LevelHistogram
    private var hops: Int64 = 0
    private var lastChangeHop: Int64 = .min / 2
    private var loudestRecent = -Double.infinity
    private var loudestHop: Int64 = 0

    public init(hopsPerSecond: Int, options: Options = Options()) {
        self.hopsPerSecond = hopsPerSecond
        self.options = options
        levels = LevelHistogram(capacity: Int(options.windowSeconds * Double(hopsPerSecond)))
    }

    /// The level, in dB, of an envelope power.
    public static func decibels(_ power: Double) -> Double { 10 * log10(max(power, 1e-15)) }

    /// Takes the next hop's breath power; returns the phase that begins at it, if one does.
    public mutating func update(power: Double) -> SensedPhase? {
        let level = Self.decibels(power)
        hops += 1
        if level >= loudestRecent || hops - loudestHop > judgementHops {
            loudestRecent = level
            loudestHop = hops
        }
        levels.add(level)
        guard Double(levels.count) >= options.minimumHeardSeconds * Double(hopsPerSecond),
              let floor = levels.percentile(options.floorPercentile),
              let peak = levels.percentile(options.peakPercentile) else { return nil }
        let contrast: Double = peak - floor
        guard contrast >= options.minimumContrastDecibels,
              Double(hops - lastChangeHop) >= options.minimumPhaseSeconds * Double(hopsPerSecond) else { return nil }
        let upper: Double = floor + options.upperThreshold * contrast
        let lower: Double = floor + options.lowerThreshold * contrast
        let next: SensedPhase? = switch phase {
        case .exhale: level < lower ? .inhale : nil
        case .inhale: level > upper ? .exhale : nil
        case nil: level > upper ? .exhale : level < lower ? .inhale : nil
        }
        guard let next else { return nil }
        phase = next
        lastChangeHop = hops
        return next
    }

    /// Lets a hop pass without looking at it: the phase stays, and the hop counts towards the
    /// judgement and the minimum phase length but not towards the floor and the peak.
    public mutating func hold() {
        hops += 1
    }

    /// What the microphone gives, judged on the last ``Options/judgementSeconds``.
    public var signal: SensedSignal {
        if hops < judgementHops { return lastChangeHop > 0 ? .usable : .listening }
        if loudestRecent < options.silenceDecibels { return .silent }
        return hops - lastChangeHop <= judgementHops ? .usable : .unmodulated
    }

    private var judgementHops: Int64 { Int64(options.judgementSeconds * Double(hopsPerSecond)) }
}
