import Planning
import PropertyBased
import SessionKit
import Testing

/// The figures of a breath calibration from marked moments, and the pattern it suggests.
@Suite struct BreathCalibrationTests {
    typealias Mark = BreathCalibration.Mark

    /// The marks of `breaths` breaths, one after another from `start`, and the final inhale that
    /// ends the last of them. A pause is marked only when it is longer than zero.
    static func marks(_ breaths: [BreathCalibration.Phases], start: Double = 0.7) -> [Mark] {
        var marks: [Mark] = []
        var position = start
        for breath in breaths {
            marks.append(Mark(.inhale, at: position))
            position += breath.inhale
            if breath.holdIn > 0 {
                marks.append(Mark(.pause, at: position))
                position += breath.holdIn
            }
            marks.append(Mark(.exhale, at: position))
            position += breath.exhale
            if breath.holdOut > 0 {
                marks.append(Mark(.pause, at: position))
                position += breath.holdOut
            }
        }
        marks.append(Mark(.inhale, at: position))
        return marks
    }

    // MARK: - Figures

    @Test func evenBreathsGiveTheirPatternAndRate() throws {
        let breath = BreathCalibration.Phases(inhale: 3, exhale: 4.5)
        let calibration = try BreathCalibration(marks: Self.marks(Array(repeating: breath, count: 6)))
        #expect(calibration.breathCount == 6)
        #expect(abs(calibration.mean.inhale - 3) < 1e-9)
        #expect(abs(calibration.mean.exhale - 4.5) < 1e-9)
        #expect(calibration.mean.holdIn == 0 && calibration.mean.holdOut == 0)
        #expect(abs(calibration.breathsPerMinute - 8) < 1e-9)
        #expect(calibration.cycleDeviation < 1e-9)
        #expect(calibration.naturalPattern.description == "3-4.5")
        // 7.5 s a breath, 10 % slower: 8.25 s; 0.3 s more inhale, 0.45 s more exhale, rounded up.
        #expect(calibration.suggestedPattern.description == "3.3-5")
    }

    @Test func pausesAreMeasuredAndKeptInTheSuggestion() throws {
        let breaths = [BreathCalibration.Phases(inhale: 2, holdIn: 0.5, exhale: 3, holdOut: 1),
                       BreathCalibration.Phases(inhale: 2.2, holdIn: 0.3, exhale: 3.2, holdOut: 0.8)]
        let calibration = try BreathCalibration(marks: Self.marks(Array(repeating: breaths, count: 3).flatMap { $0 }))
        #expect(calibration.breathCount == 6)
        #expect(abs(calibration.mean.inhale - 2.1) < 1e-9)
        #expect(abs(calibration.mean.holdIn - 0.4) < 1e-9)
        #expect(abs(calibration.mean.exhale - 3.1) < 1e-9)
        #expect(abs(calibration.mean.holdOut - 0.9) < 1e-9)
        #expect(calibration.naturalPattern.description == "2.1-0.4-3.1-0.9")
        // Sample standard deviation of 2, 2.2, 2, 2.2, 2, 2.2: 0.1095.
        #expect(abs(calibration.deviation.inhale - 0.109_544_5) < 1e-6)
        #expect(calibration.suggestedPattern.holdIn == Tenths(4))
        #expect(calibration.suggestedPattern.holdOut == Tenths(9))
    }

    @Test func marksBeforeTheFirstInhaleAndBreathsWithoutAnExhaleDoNotCount() throws {
        var marks = [Mark(.pause, at: 0.1), Mark(.exhale, at: 0.2)]
        marks += Self.marks(Array(repeating: BreathCalibration.Phases(inhale: 2, exhale: 3), count: 5), start: 1)
        // An inhale marked twice: the breath between the two has no exhale.
        marks.insert(Mark(.inhale, at: 0.5), at: 2)
        let calibration = try BreathCalibration(marks: marks)
        #expect(calibration.breathCount == 5)
        #expect(abs(calibration.cycleSeconds - 5) < 1e-9)
    }

    // MARK: - Refusals

    @Test func fewerThanFiveBreathsAreTooFew() {
        let marks = Self.marks(Array(repeating: BreathCalibration.Phases(inhale: 2, exhale: 3), count: 4))
        #expect(throws: BreathCalibration.Problem.tooFew(breathCount: 4)) { try BreathCalibration(marks: marks) }
        #expect(throws: BreathCalibration.Problem.tooFew(breathCount: 0)) { try BreathCalibration(marks: []) }
        #expect("\(BreathCalibration.Problem.tooFew(breathCount: 4))" == "only 4 full breaths marked; at least 5 are needed")
    }

    @Test func breathsVaryingByMoreThanFortyPercentAreTooIrregular() throws {
        let short = BreathCalibration.Phases(inhale: 1, exhale: 1)
        let long = BreathCalibration.Phases(inhale: 3, exhale: 5)
        let marks = Self.marks([short, long, short, long, short, long])
        #expect {
            try BreathCalibration(marks: marks)
        } throws: { error in
            guard case let .tooIrregular(variation) = error as? BreathCalibration.Problem else { return false }
            return variation > 0.4
        }
        // Lengths 4, 6, 4, 6, 4, 6: 20 % — accepted.
        let steady = Self.marks([BreathCalibration.Phases(inhale: 2, exhale: 2), BreathCalibration.Phases(inhale: 2, exhale: 4),
                                 BreathCalibration.Phases(inhale: 2, exhale: 2), BreathCalibration.Phases(inhale: 2, exhale: 4),
                                 BreathCalibration.Phases(inhale: 2, exhale: 2), BreathCalibration.Phases(inhale: 2, exhale: 4)])
        #expect(try BreathCalibration(marks: steady).breathCount == 6)
        #expect("\(BreathCalibration.Problem.tooIrregular(variation: 0.55))"
                == "the breaths were too irregular to measure: their length varied by 55 %, at most 40 % is accepted")
    }

    @Test func marksFasterThanThirtyAMinuteAreNotBreaths() {
        let marks = Self.marks(Array(repeating: BreathCalibration.Phases(inhale: 0.5, exhale: 0.7), count: 8))
        #expect {
            try BreathCalibration(marks: marks)
        } throws: { error in
            guard case let .notBreaths(rate) = error as? BreathCalibration.Problem else { return false }
            return abs(rate - 50) < 1e-6
        }
        #expect("\(BreathCalibration.Problem.notBreaths(breathsPerMinute: 50))"
                == "the marks come at 50 breaths a minute; a breath rate lies between 2 and 30")
    }

    // MARK: - The suggestion, over random breaths

    /// Breaths of 2.4 to 29 s, with or without pauses, varying a little around their mean.
    static let breathing = zip(Gen.int(in: 12...120), Gen.int(in: 0...20), Gen.int(in: 12...120), Gen.int(in: 0...30),
                               Gen.int(in: 5...12), Gen.int(in: 0...8))

    static func calibration(_ input: (Int, Int, Int, Int, Int, Int)) throws -> BreathCalibration {
        let (inhale, holdIn, exhale, holdOut, count, wobble) = input
        let breaths = (0..<count).map { index in
            let shift = Double((index % 3) - 1) * Double(wobble) / 100
            return BreathCalibration.Phases(inhale: Double(inhale) / 10 + shift, holdIn: Double(holdIn) / 10,
                                            exhale: Double(exhale) / 10 - shift / 2, holdOut: Double(holdOut) / 10)
        }
        return try BreathCalibration(marks: marks(breaths))
    }

    @Test func theSuggestionIsNeverFasterThanTheNaturalBreath() async throws {
        await propertyCheck(count: 300, input: Self.breathing) { input in
            let calibration = try Self.calibration(input)
            let suggested = calibration.suggestedPattern
            #expect(suggested.cycleLength.seconds >= calibration.cycleSeconds - 1e-6, "\(suggested) for \(calibration.cycleSeconds) s")
            #expect(suggested.inhale.seconds >= calibration.mean.inhale - 1e-6)
            #expect(suggested.exhale.seconds >= calibration.mean.exhale - 1e-6)
        }
    }

    @Test func theSuggestionIsOnlySlightlySlowerAndMovesTowardsSixAMinute() async throws {
        await propertyCheck(count: 300, input: Self.breathing) { input in
            let calibration = try Self.calibration(input)
            let natural = calibration.cycleSeconds
            let suggested = calibration.suggestedPattern.cycleLength.seconds
            // Rounding each of four phases up adds less than 0.4 s.
            #expect(suggested < natural * BreathCalibration.slowingFactor + 0.4 + 1e-6, "\(suggested) for \(natural) s")
            if natural < BreathCalibration.targetCycleSeconds {
                #expect(suggested > natural, "slower than \(natural) s")
                #expect(suggested < BreathCalibration.targetCycleSeconds + 0.4, "not beyond about 6 a minute")
            } else {
                #expect(suggested < natural + 0.4, "a breath of 6 a minute or slower is kept: \(suggested) for \(natural) s")
            }
        }
    }

    @Test func calibratingAgainOnTheSuggestionReachesSixAMinuteAndStaysThere() async throws {
        await propertyCheck(count: 100, input: Gen.int(in: 20...90), Gen.int(in: 20...120)) { inhale, exhale in
            var breath = BreathCalibration.Phases(inhale: Double(inhale) / 10, exhale: Double(exhale) / 10)
            var previous = breath.cycleSeconds
            for _ in 0..<30 {
                let calibration = try BreathCalibration(marks: Self.marks(Array(repeating: breath, count: 5)))
                let suggested = calibration.suggestedPattern
                breath = BreathCalibration.Phases(inhale: suggested.inhale.seconds, exhale: suggested.exhale.seconds)
                #expect(breath.cycleSeconds >= previous - 1e-6)
                previous = breath.cycleSeconds
            }
            #expect(previous >= BreathCalibration.targetCycleSeconds - 1e-6, "\(inhale)-\(exhale) tenths end at \(previous) s")
            #expect(previous < max(BreathCalibration.targetCycleSeconds, Double(inhale + exhale) / 10) + 0.4)
        }
    }
}
