import SessionKit

/// A person's natural breath, measured from the moments they marked, and the pacing pattern
/// suggested from it (`psoas breathe calibrate`).
///
/// Pure: it takes the marks and never touches the system, so every figure can be checked
/// against marks made up in a test.
///
/// A breath runs from one inhale mark to the next. Within it, the first exhale mark ends the
/// inhale; a pause mark before the exhale starts a hold after the inhale, one after it a hold
/// after the exhale. A breath without an exhale mark is not counted. Marks before the first
/// inhale, and the breath the last inhale starts, are not breaths.
public struct BreathCalibration: Sendable, Equatable {
    /// What starts at a marked moment.
    public enum Phase: Sendable, Equatable {
        case inhale, exhale, pause
    }

    /// One marked moment: its position in seconds from the start of the marking.
    public struct Mark: Sendable, Equatable {
        public var phase: Phase
        public var position: Double

        public init(_ phase: Phase, at position: Double) {
            self.phase = phase
            self.position = position
        }
    }

    /// The fewest full breaths a calibration needs.
    public static let minimumBreathCount = 5
    /// The largest coefficient of variation of the breath length (standard deviation over mean)
    /// a calibration accepts: above it, the marks are too irregular to describe one rhythm.
    public static let maximumVariation = 0.4
    /// The breaths per minute a calibration accepts: outside it, the marks are not breaths.
    public static let breathsPerMinuteRange = 2.0...30.0
    /// The breath length the suggestions move towards: 10 s, about 6 breaths a minute.
    public static let targetCycleSeconds = 10.0
    /// How much slower than natural a suggestion is, at most: 10 % longer breaths.
    public static let slowingFactor = 1.1

    /// Why marks give no calibration, in words a person can act on.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// Fewer than ``minimumBreathCount`` full breaths were marked.
        case tooFew(breathCount: Int)
        /// The breath lengths vary by more than ``maximumVariation``.
        case tooIrregular(variation: Double)
        /// The mean breath rate lies outside ``breathsPerMinuteRange``.
        case notBreaths(breathsPerMinute: Double)

        public var description: String {
            switch self {
            case let .tooFew(count):
                "only \(count) full breath\(count == 1 ? "" : "s") marked; at least \(BreathCalibration.minimumBreathCount) are needed"
            case let .tooIrregular(variation):
                "the breaths were too irregular to measure: their length varied by \(percent(variation)) %, "
                    + "at most \(percent(BreathCalibration.maximumVariation)) % is accepted"
            case let .notBreaths(rate):
                "the marks come at \(rounded(rate)) breaths a minute; a breath rate lies between "
                    + "\(rounded(BreathCalibration.breathsPerMinuteRange.lowerBound)) and "
                    + "\(rounded(BreathCalibration.breathsPerMinuteRange.upperBound))"
            }
        }

        private func percent(_ fraction: Double) -> Int { Int((fraction * 100).rounded()) }
        private func rounded(_ value: Double) -> String {
            let tenths = Int((value * 10).rounded())
            return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
        }
    }

    /// Seconds of each phase of a breath (a mean, or one breath's own).
    public struct Phases: Sendable, Equatable {
        public var inhale: Double
        public var holdIn: Double
        public var exhale: Double
        public var holdOut: Double

        public init(inhale: Double, holdIn: Double = 0, exhale: Double, holdOut: Double = 0) {
            self.inhale = inhale
            self.holdIn = holdIn
            self.exhale = exhale
            self.holdOut = holdOut
        }

        /// The length of the whole breath.
        public var cycleSeconds: Double { inhale + holdIn + exhale + holdOut }
    }

    /// Every full breath marked, in order.
    public let breaths: [Phases]
    /// The mean of each phase.
    public let mean: Phases
    /// The standard deviation of each phase, in seconds.
    public let deviation: Phases
    /// The standard deviation of the breath length, in seconds.
    public let cycleDeviation: Double

    /// Measures the marks.
    /// - Parameter marks: the marked moments, in the order they were made.
    /// - Throws: ``Problem`` when they give too few breaths, too irregular ones, or none at a
    ///   breath's pace.
    public init(marks: [Mark]) throws(Problem) {
        let breaths = Self.breaths(in: marks)
        guard breaths.count >= Self.minimumBreathCount else { throw .tooFew(breathCount: breaths.count) }
        self.breaths = breaths
        mean = Phases(inhale: Self.mean(breaths.map(\.inhale)), holdIn: Self.mean(breaths.map(\.holdIn)),
                      exhale: Self.mean(breaths.map(\.exhale)), holdOut: Self.mean(breaths.map(\.holdOut)))
        deviation = Phases(inhale: Self.deviation(breaths.map(\.inhale)), holdIn: Self.deviation(breaths.map(\.holdIn)),
                           exhale: Self.deviation(breaths.map(\.exhale)), holdOut: Self.deviation(breaths.map(\.holdOut)))
        cycleDeviation = Self.deviation(breaths.map(\.cycleSeconds))
        guard Self.breathsPerMinuteRange.contains(breathsPerMinute) else {
            throw .notBreaths(breathsPerMinute: breathsPerMinute)
        }
        guard variation <= Self.maximumVariation else { throw .tooIrregular(variation: variation) }
    }

    // MARK: - Figures

    /// The number of full breaths.
    public var breathCount: Int { breaths.count }

    /// The mean breath length, in seconds.
    public var cycleSeconds: Double { mean.cycleSeconds }

    /// Breaths per minute at the mean breath length.
    public var breathsPerMinute: Double { 60 / cycleSeconds }

    /// The coefficient of variation of the breath length: its standard deviation over its mean.
    public var variation: Double { cycleDeviation / cycleSeconds }

    /// The natural breath as a pattern: each mean phase to the nearest tenth of a second (an
    /// inhale or exhale at least 0.1 s).
    public var naturalPattern: BreathPattern {
        BreathPattern(inhale: max(Self.nearestTenths(mean.inhale), Tenths(1)), holdIn: Self.nearestTenths(mean.holdIn),
                      exhale: max(Self.nearestTenths(mean.exhale), Tenths(1)), holdOut: Self.nearestTenths(mean.holdOut))
    }

    /// The pacing suggested: a breath up to ``slowingFactor`` longer than the natural one, but
    /// not beyond ``targetCycleSeconds`` (about 6 breaths a minute); a natural breath already
    /// that slow is kept. The time added goes 40 % to the inhale and 60 % to the exhale; the
    /// holds stay. Every phase is rounded up to a tenth, so the suggestion is never faster than
    /// the natural breath.
    ///
    /// Calibrating again after practising with it starts from the slower breath measured then:
    /// over sessions the suggestions move towards 6 breaths a minute.
    public var suggestedPattern: BreathPattern {
        let natural = cycleSeconds
        let longer: Double = natural < Self.targetCycleSeconds ? min(Self.targetCycleSeconds, natural * Self.slowingFactor) : natural
        let added: Double = longer - natural
        let inhale: Double = mean.inhale + 0.4 * added
        let exhale: Double = mean.exhale + 0.6 * added
        return BreathPattern(inhale: max(Self.tenthsUp(inhale), Tenths(1)), holdIn: Self.tenthsUp(mean.holdIn),
                             exhale: max(Self.tenthsUp(exhale), Tenths(1)), holdOut: Self.tenthsUp(mean.holdOut))
    }

    // MARK: - Breaths from marks

    /// The full breaths the marks describe.
    static func breaths(in marks: [Mark]) -> [Phases] {
        let starts = marks.indices.filter { marks[$0].phase == .inhale }
        var breaths: [Phases] = []
        for (start, end) in zip(starts, starts.dropFirst()) {
            let inside = marks[(start + 1)..<end]
            guard let exhaleIndex = inside.firstIndex(where: { $0.phase == .exhale }) else { continue }
            let begin = marks[start].position
            let exhaleStart = marks[exhaleIndex].position
            let finish = marks[end].position
            let holdInStart = inside[..<exhaleIndex].first { $0.phase == .pause }?.position ?? exhaleStart
            let holdOutStart = inside[(exhaleIndex + 1)...].first { $0.phase == .pause }?.position ?? finish
            breaths.append(Phases(inhale: holdInStart - begin, holdIn: exhaleStart - holdInStart,
                                  exhale: holdOutStart - exhaleStart, holdOut: finish - holdOutStart))
        }
        return breaths
    }

    // MARK: - Arithmetic

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (n − 1); 0 for fewer than two values.
    static func deviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let average = mean(values)
        let squares: Double = values.reduce(0) { sum, value in sum + (value - average) * (value - average) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    static func nearestTenths(_ seconds: Double) -> Tenths {
        Tenths(Int64(max(0, seconds * 10).rounded()))
    }

    /// Rounds up to a tenth; a hair above a tenth (floating-point noise) stays on it.
    static func tenthsUp(_ seconds: Double) -> Tenths {
        let scaled: Double = max(0, seconds * 10 - 1e-6)
        return Tenths(Int64(scaled.rounded(.up)))
    }
}
