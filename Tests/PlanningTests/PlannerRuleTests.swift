import Foundation
import PsoasTestSupport
import SessionKit
import Testing
import Planning

/// Single timing rules with numbers a person can check by hand.
@Suite struct PlannerRuleTests {
    let breath = BreathPattern(inhale: Tenths(40), exhale: Tenths(60))

    func planner(clipSeconds: Tenths = Tenths(10), rate: Int = 48_000, tones: ToneStyle = .glide) -> Planner {
        Planner(options: PlanOptions(sampleRate: rate, tones: tones), manifest: Fixture.manifest,
                clipDurations: Fixture.clips(clipSeconds.frames(at: rate)))
    }

    func session(_ steps: [Step]) -> Session {
        Session(id: "t", title: "T", breath: breath, parameters: [], steps: steps)
    }

    @Test func contractRelaxTensesOnInhaleReleasesOnExhaleThenOneFreeCycle() throws {
        let step = Fixture.step(.contractRelax, .contractRelax(reps: 2, tension: Tenths(25), tense: Fixture.use("tense"),
                                                                 release: Fixture.use("relax")), breath: breath, line: 1)
        let timeline = try planner().plan(session([step]))
        let rate: Int64 = 48_000
        // Rep 1: inhale 0–4 s, tension 4–6.5 s, exhale 6.5–12.5 s; free cycle 12.5–22.5 s; rep 2 from 22.5 s.
        let tensions = timeline.events.filter { if case .tension = $0.kind { true } else { false } }
        #expect(tensions.map(\.start) == [4 * rate, 265 * rate / 10])
        #expect(tensions.map(\.end) == [65 * rate / 10, 29 * rate])
        #expect(timeline.voiceEvents.filter { $0.cueID == "tense" }.map(\.start) == [0, 225 * rate / 10])
        #expect(timeline.voiceEvents.filter { $0.cueID == "relax" }.map(\.start) == [65 * rate / 10, 29 * rate])
        #expect(timeline.frameCount == 45 * rate)
    }

    @Test func aCueTooLongForItsPhaseIsAnErrorNamingStepAndCue() {
        let step = Fixture.step(.sink, .paced(.cycles(2), cues: [AnchoredCue(use: Fixture.use("release", line: 7), anchor: .exhale, everyCycle: true)]),
                                breath: BreathPattern(inhale: Tenths(40), exhale: Tenths(10)), line: 6)
        #expect(throws: PlanError(location: SourceLocation(line: 7, column: 1), message:
            "cue 'release' lasts 1.50 s but there are only 1.00 s from the exhale of cycle 1 in step 'sink' (breath 4-1); use a longer breath or a shorter cue")) {
            try planner(clipSeconds: Tenths(15)).plan(session([step]))
        }
    }

    @Test func fitsListsEveryUseWithItsSpanWithoutStoppingAtOneTooLong() throws {
        let step = Fixture.step(.sink, .paced(.cycles(2), cues: [AnchoredCue(use: Fixture.use("release", line: 7), anchor: .exhale, everyCycle: true)]),
                                breath: BreathPattern(inhale: Tenths(40), exhale: Tenths(10)), line: 6)
        let fits = try planner(clipSeconds: Tenths(15)).fits(session([step]))
        #expect(fits.count == 2)
        #expect(fits.allSatisfy { $0.isTooLong && $0.length == 72_000 && $0.room == 48_000 && $0.span == "exhale" })
        #expect(fits.first?.tooLongText(in: "t") == "release: 1.5 s, but it must fit the 1.0 s exhale of step 'sink' in t (line 7); 0.5 s too long")
    }

    @Test func overlappingCuesAreAnErrorNamingBoth() {
        let step = Fixture.step(.hold, .paced(.seconds(Tenths(300)), cues: [
            AnchoredCue(use: Fixture.use("hold.start", line: 3), anchor: .exhale),
            AnchoredCue(use: Fixture.use("countdown", line: 4), anchor: .exhale, cycle: 1),
        ]), breath: breath, line: 2)
        #expect(throws: PlanError(location: SourceLocation(line: 4, column: 1), message:
            "cue 'countdown' in step 'hold' overlaps cue 'hold.start' of step 'hold' by 1.00 s; two voice cues never overlap")) {
            try planner().plan(session([step]))
        }
    }

    @Test func aCueOnACycleTheStepDoesNotHaveIsAnError() {
        let step = Fixture.step(.breathe, .paced(.cycles(2), cues: [AnchoredCue(use: Fixture.use("arrive", line: 3), anchor: .inhale, cycle: 5)]),
                                breath: breath, line: 2)
        #expect(throws: PlanError(location: SourceLocation(line: 3, column: 1), message:
            "cue 'arrive' is placed on cycle 5, but step 'breathe' has 2 cycles")) {
            try planner().plan(session([step]))
        }
    }

    @Test func aCueWithoutAClipIsAnError() {
        let step = Fixture.step(.say, .say(Fixture.use("intro", line: 9), after: .zero), breath: breath, line: 9)
        let planner = Planner(options: PlanOptions(), manifest: Fixture.manifest, clipDurations: [:])
        #expect(throws: PlanError(location: SourceLocation(line: 9, column: 1), message:
            "cue 'intro' has no clip in the voice pack (step 'say')")) {
            try planner.plan(session([step]))
        }
    }

    @Test func waitLastsItsExportSecondsAndSayLastsClipPlusAfter() throws {
        let timeline = try planner().plan(session([
            Fixture.step(.say, .say(Fixture.use("intro"), after: Tenths(15)), breath: breath, line: 1),
            Fixture.step(.wait, .wait(Fixture.use("intro"), export: Tenths(150)), breath: breath, line: 2),
        ]))
        #expect(timeline.steps.map(\.start) == [0, 120_000])
        #expect(timeline.frameCount == 120_000 + 720_000)
        let wait = timeline.events.first { if case .wait = $0.kind { true } else { false } }
        #expect(wait?.start == 120_000)
        #expect(wait?.end == 840_000)
    }

    @Test func tonesFollowTheStyle() throws {
        let breathe = Fixture.step(.breathe, .paced(.cycles(2), cues: []), breath: BreathPattern(inhale: Tenths(40), holdIn: Tenths(20), exhale: Tenths(60)), line: 1)
        func tones(_ style: ToneStyle) throws -> [String] {
            try planner(tones: style).plan(session([breathe])).events.compactMap {
                if case let .tone(name, _) = $0.kind { name.rawValue } else { nil }
            }
        }
        #expect(try tones(.glide) == ["inhale", "exhale", "inhale", "exhale"])
        #expect(try tones(.bell) == ["bell.inhale", "bell.holdIn", "bell.exhale", "bell.inhale", "bell.holdIn", "bell.exhale"])
        #expect(try tones(.off).isEmpty)
    }

    @Test func restTonesFadeEvenlyInDecibels() throws {
        let rest = Fixture.step(.rest, .paced(.seconds(Tenths(600)), cues: []), breath: breath, line: 1)
        let levels = try planner().plan(session([rest])).events.compactMap {
            if case let .tone(_, level) = $0.kind { level } else { nil }
        }
        #expect(levels.count == 12, "every cycle keeps its tones")
        let perCycle = stride(from: 0, to: levels.count, by: 2).map { 20 * log10(levels[$0]) }
        #expect(perCycle.first == 0)
        #expect(abs((perCycle.last ?? 0) - -Planner.restFadeDecibels) < 1e-9)
        let steps = zip(perCycle, perCycle.dropFirst()).map { $1 - $0 }
        #expect(steps.allSatisfy { abs($0 - steps[0]) < 1e-9 && $0 < 0 }, "even steps in dB: \(steps)")
    }

    @Test func eventsAreSortedByStartThenCreationOrder() throws {
        let timeline = try planner().plan(Fixture.everyKind(breath: breath, holdSeconds: 60))
        #expect(zip(timeline.events, timeline.events.dropFirst()).allSatisfy { $0.start <= $1.start })
        // At a step's first frame the step event comes first.
        for (index, step) in timeline.steps.enumerated() {
            let first = timeline.events.first { $0.start == step.start && $0.step == index }
            #expect(first?.kind == .step)
        }
    }
}
