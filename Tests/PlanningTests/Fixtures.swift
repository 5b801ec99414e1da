import SessionKit
import Planning

/// Sessions built in code for planner tests, with a manifest and clip lengths to match.
enum Fixture {
    static let cueIDs = ["intro", "arrive", "release", "hold.start", "countdown", "tense", "relax", "rest.in"]

    static let manifest = CueManifest(path: "test.yaml", entries: cueIDs.map { ($0, "Text von \($0).") })

    static func use(_ id: String, line: Int = 1) -> CueUse {
        CueUse(id: id, location: SourceLocation(line: line, column: 1))
    }

    static func step(_ kind: Step.Kind, _ body: Step.Body, breath: BreathPattern, line: Int) -> Step {
        Step(kind: kind, id: kind.rawValue, title: kind.defaultTitle, side: nil, breath: breath, body: body,
             location: SourceLocation(line: line, column: 3))
    }

    /// A session with one step of every kind that paces the breath, each carrying anchored cues.
    static func everyKind(breath: BreathPattern, holdSeconds: Int64, breatheCycles: Int = 3) -> Session {
        let steps: [Step] = [
            step(.say, .say(use("intro", line: 2), after: Tenths(5)), breath: breath, line: 2),
            step(.breathe, .paced(.cycles(breatheCycles), cues: [AnchoredCue(use: use("arrive", line: 3), anchor: .inhale)]),
                 breath: breath, line: 3),
            step(.sink, .paced(.cycles(3), cues: [AnchoredCue(use: use("release", line: 4), anchor: .exhale, everyCycle: true)]),
                 breath: breath, line: 4),
            step(.hold, .paced(.seconds(Tenths(seconds: holdSeconds)), cues: [
                AnchoredCue(use: use("hold.start", line: 5), anchor: .exhale),
                AnchoredCue(use: use("countdown", line: 6), anchor: .exhale, cycle: -1, align: .end),
            ]), breath: breath, line: 5),
            step(.contractRelax, .contractRelax(reps: 2, tension: Tenths(25), tense: use("tense", line: 7),
                                                release: use("relax", line: 7)), breath: breath, line: 7),
            step(.wait, .wait(use("intro", line: 8), export: Tenths(seconds: 5)), breath: breath, line: 8),
            step(.rest, .paced(.seconds(Tenths(seconds: 60)), cues: [AnchoredCue(use: use("rest.in", line: 9), anchor: .exhale)]),
                 breath: breath, line: 9),
        ]
        return Session(id: "fixture", title: "Probe", breath: breath, parameters: [], steps: steps)
    }

    static func clips(_ frames: Int64) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: cueIDs.map { ($0, frames) })
    }
}

extension Timeline {
    func events(ofStep index: Int) -> [Event] { events.filter { $0.step == index } }

    var voiceEvents: [Event] {
        events.filter { if case .voice = $0.kind { true } else { false } }
    }

    func breathEvents(ofStep index: Int) -> [Event] {
        events(ofStep: index).filter { if case .breath = $0.kind { true } else { false } }
    }
}

extension Event {
    var phase: BreathPhase? {
        if case let .breath(phase, _) = kind { phase } else { nil }
    }

    var cueID: String? {
        if case let .voice(cue, _, _, _) = kind { cue } else { nil }
    }
}
