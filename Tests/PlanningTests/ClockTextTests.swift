import PropertyBased
import Testing
import Planning

/// Frame counts as clock text, with values a person can check by hand, and the one binary search.
@Suite struct ClockTextTests {
    let clock = ClockText(sampleRate: 48_000)

    /// `seconds` seconds and `frames` frames at 48 kHz.
    func at(_ seconds: Int64, plus frames: Int64 = 0) -> Int64 { seconds * 48_000 + frames }

    @Test func positionsAreMinutesSecondsAndHundredthsWithoutHours() {
        #expect(clock.position(0) == "0:00.00")
        #expect(clock.position(at(448) + 2_400) == "7:28.05")
        #expect(clock.position(at(59) + 47_760) == "1:00.00")
        #expect(clock.position(at(4_500)) == "75:00.00")
    }

    @Test func positionsRoundToTheNearestHundredthHalvesUp() {
        // A hundredth is 480 frames: 239 rounds down, 240 (the half) up.
        #expect(clock.position(239) == "0:00.00")
        #expect(clock.position(240) == "0:00.01")
        #expect(clock.position(at(9, plus: 47_759)) == "0:09.99")
        #expect(clock.position(at(9, plus: 47_760)) == "0:10.00")
    }

    @Test func lengthsAreWholeSecondsWithHoursOnlyFromAnHourOn() {
        #expect(clock.length(0) == "0:00")
        #expect(clock.length(at(448)) == "7:28")
        #expect(clock.length(at(3_599, plus: 23_999)) == "59:59")
        #expect(clock.length(at(3_599, plus: 24_000)) == "1:00:00")
        #expect(clock.length(at(3_725)) == "1:02:05")
        #expect(clock.length(at(21_600)) == "6:00:00")
    }

    @Test func durationsReadInSecondsUnderAMinuteAndInMinutesFromOne() {
        #expect(clock.duration(at(6)) == "6.00 s")
        #expect(clock.duration(at(59, plus: 47_759)) == "59.99 s")
        #expect(clock.duration(at(59, plus: 47_760)) == "1:00.00 min")
        #expect(clock.duration(at(90)) == "1:30.00 min")
    }

    @Test func secondsKeepTwoDecimalsPastAMinute() {
        #expect(clock.seconds(at(3, plus: 9_600)) == "3.20 s")
        #expect(clock.seconds(at(0, plus: 480)) == "0.01 s")
        #expect(clock.seconds(at(75)) == "75.00 s")
    }

    @Test func webVTTTimesHaveHoursAndMilliseconds() {
        #expect(clock.webVTT(0) == "00:00:00.000")
        #expect(clock.webVTT(at(448) + 2_400) == "00:07:28.050")
        #expect(clock.webVTT(48) == "00:00:00.001")
        #expect(clock.webVTT(at(3_725) + 24_000) == "01:02:05.500")
        #expect(ClockText(sampleRate: 44_100).webVTT(22) == "00:00:00.000")
        #expect(ClockText(sampleRate: 44_100).webVTT(23) == "00:00:00.001")
    }

    @Test func countsAlreadyRoundedAreWrittenAsTheyAre() {
        #expect(ClockText.seconds(hundredths: 320) == "3.20 s")
        #expect(ClockText.seconds(hundredths: 7) == "0.07 s")
        #expect(ClockText.seconds(tenths: 84) == "8.4 s")
        #expect(ClockText.seconds(tenths: 60) == "6.0 s")
        #expect(ClockText.minutesAndSeconds(5) == "0:05")
        #expect(ClockText.minutesAndSeconds(4_503) == "75:03")
    }

    @Test func everyTextAgreesWithTheHundredthsItRoundsTo() async {
        let rates = Gen.element(of: [44_100, 48_000, 96_000]).map { $0 ?? 48_000 }
        await propertyCheck(count: 300, input: rates, Gen.int64(in: 0...(6 * 3600 * 96_000))) { rate, frames in
            let clock = ClockText(sampleRate: rate)
            let hundredths = Int((Double(frames) * 100 / Double(rate)).rounded(.toNearestOrAwayFromZero))
            let position = clock.position(frames)
            let parts = position.split(whereSeparator: { $0 == ":" || $0 == "." }).compactMap { Int($0) }
            #expect(parts.count == 3)
            #expect(parts[0] * 6000 + parts[1] * 100 + parts[2] == hundredths, "\(position) at \(rate) Hz")
            #expect(clock.duration(frames) == (hundredths >= 6000 ? position + " min" : clock.seconds(frames)))
        }
    }

    @Test func partitionPointFindsTheFirstElementPastTheSplit() async {
        await propertyCheck(count: 300, input: Gen.int64(in: 0...50).array(of: 0...40), Gen.int64(in: -1...51)) { values, split in
            let sorted = values.sorted()
            let index = sorted.partitionPoint { $0 > split }
            #expect(index == (sorted.firstIndex { $0 > split } ?? sorted.count), "\(sorted), \(split)")
        }
        #expect([Int64]().partitionPoint { $0 > 0 } == 0)
        #expect(([1, 2, 2, 3] as [Int64]).partitionPoint { $0 >= 2 } == 1)
    }
}
