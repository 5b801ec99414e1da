import PropertyBased
import PsoasTestSupport
import SessionKit
import Testing
import Planning

/// The planner's timing rules, checked over random breath patterns, rates and hold lengths.
@Suite struct PlannerPropertyTests {
    static let patterns = zip(Gen.int64(in: 10...100), Gen.int64(in: 0...100), Gen.int64(in: 10...120), Gen.int64(in: 0...100))
    static let rates = Gen.element(of: [44_100, 48_000, 96_000]).map { $0 ?? 48_000 }

    func plan(_ inhale: Int64, _ holdIn: Int64, _ exhale: Int64, _ holdOut: Int64, rate: Int, hold: Int64,
              clipTenths: Int64) throws -> (Timeline, BreathPattern) {
        let breath = BreathPattern(inhale: Tenths(inhale), holdIn: Tenths(holdIn), exhale: Tenths(exhale),
                                   holdOut: Tenths(holdOut))
        let session = Fixture.everyKind(breath: breath, holdSeconds: hold)
        let planner = Planner(options: PlanOptions(sampleRate: rate), manifest: Fixture.manifest,
                              clipDurations: Fixture.clips(Tenths(clipTenths).frames(at: rate)))
        return (try planner.plan(session), breath)
    }

    @Test func holdsAreWholeCyclesFromInhaleToExhaleNeverShortNeverACycleLong() async throws {
        await propertyCheck(count: 200, input: Self.patterns, Self.rates, Gen.int64(in: 30...90), Gen.int64(in: 1...9)) {
            pattern, rate, hold, clip in
            let (timeline, breath) = try plan(pattern.0, pattern.1, pattern.2, pattern.3, rate: rate, hold: hold, clipTenths: clip)
            let holdIndex = 3
            let holdEvent = try #require(timeline.events(ofStep: holdIndex).first { if case .hold = $0.kind { true } else { false } })
            guard case let .hold(seconds, cycles) = holdEvent.kind else { return }
            #expect(seconds == Tenths(seconds: hold))
            let expectedCycles = (hold * 10 + breath.cycleLength.value - 1) / breath.cycleLength.value
            #expect(Int64(cycles) == expectedCycles)
            #expect(holdEvent.duration >= Tenths(seconds: hold).frames(at: rate))
            #expect(holdEvent.duration < (Tenths(seconds: hold) + breath.cycleLength).frames(at: rate))
            let phases = timeline.breathEvents(ofStep: holdIndex)
            #expect(phases.first?.phase == .inhale)
            #expect(phases.first?.start == holdEvent.start)
            #expect(phases.last?.end == holdEvent.end)
            #expect([BreathPhase.exhale, .holdOut].contains(phases.last?.phase))
            #expect(phases.filter { $0.phase == .inhale }.count == cycles)
        }
    }

    @Test func anchoredCuesStartOnTheirPhaseOrEndOnTheBoundary() async throws {
        await propertyCheck(count: 200, input: Self.patterns, Self.rates, Gen.int64(in: 30...90), Gen.int64(in: 1...9)) {
            pattern, rate, hold, clip in
            let (timeline, _) = try plan(pattern.0, pattern.1, pattern.2, pattern.3, rate: rate, hold: hold, clipTenths: clip)
            for (index, _) in timeline.steps.enumerated() {
                let phases = timeline.breathEvents(ofStep: index)
                let inhaleStarts = Set(phases.filter { $0.phase == .inhale }.map(\.start))
                let exhaleStarts = phases.filter { $0.phase == .exhale }.map(\.start)
                for event in timeline.events(ofStep: index) {
                    guard case let .voice(cue, _, anchor, align) = event.kind else { continue }
                    switch (anchor, align) {
                    case (.inhale, .start): #expect(inhaleStarts.contains(event.start), "\(cue)")
                    case (.exhale, .start): #expect(exhaleStarts.contains(event.start), "\(cue)")
                    case (.inhale, .end): #expect(inhaleStarts.contains(event.end), "\(cue)")
                    case (.exhale, .end): #expect(exhaleStarts.contains(event.end), "\(cue)")
                    case (.step, _): #expect(event.start == timeline.steps[index].start, "\(cue)")
                    }
                }
            }
            // Rule 4: every exhale of the sink step carries the release cue on its first frame.
            let sinkExhales = timeline.breathEvents(ofStep: 2).filter { $0.phase == .exhale }.map(\.start)
            let releases = timeline.events(ofStep: 2).filter { $0.cueID == "release" }.map(\.start)
            #expect(sinkExhales == releases)
            // The countdown ends exactly where the hold's last exhale begins.
            let lastExhale = timeline.breathEvents(ofStep: 3).last { $0.phase == .exhale }
            let countdown = timeline.events(ofStep: 3).first { $0.cueID == "countdown" }
            #expect(countdown?.end == lastExhale?.start)
        }
    }

    @Test func voiceEventsNeverOverlap() async throws {
        await propertyCheck(count: 200, input: Self.patterns, Self.rates, Gen.int64(in: 30...90), Gen.int64(in: 1...9)) {
            pattern, rate, hold, clip in
            let (timeline, _) = try plan(pattern.0, pattern.1, pattern.2, pattern.3, rate: rate, hold: hold, clipTenths: clip)
            let voices = timeline.voiceEvents.sorted { $0.start < $1.start }
            for (earlier, later) in zip(voices, voices.dropFirst()) {
                #expect(earlier.end <= later.start, "\(earlier) overlaps \(later)")
            }
        }
    }

    @Test func phaseBoundariesNeverDrift() async throws {
        await propertyCheck(count: 200, input: Self.patterns, Self.rates, Gen.int64(in: 30...90), Gen.int(in: 1...400)) {
            pattern, rate, hold, cycles in
            let breath = BreathPattern(inhale: Tenths(pattern.0), holdIn: Tenths(pattern.1), exhale: Tenths(pattern.2),
                                       holdOut: Tenths(pattern.3))
            let session = Fixture.everyKind(breath: breath, holdSeconds: hold, breatheCycles: cycles)
            let planner = Planner(options: PlanOptions(sampleRate: rate), manifest: Fixture.manifest,
                                  clipDurations: Fixture.clips(Int64(rate / 10)))
            let timeline = try planner.plan(session)
            for (index, step) in timeline.steps.enumerated() where step.breath != nil {
                // Seconds since the step's start, summed phase by phase (hold-in is the tension in contract-relax).
                var cumulative: Int64 = 0
                for event in timeline.breathEvents(ofStep: index) {
                    let expected = step.start + Int64((Double(cumulative) / 10 * Double(rate)).rounded())
                    #expect(event.start == expected, "step \(step.id) \(event)")
                    let tenths = (Double(event.duration) / Double(rate) * 10).rounded()
                    cumulative += Int64(tenths)
                }
                #expect(step.end == step.start + Int64((Double(cumulative) / 10 * Double(rate)).rounded()))
            }
        }
    }
}
