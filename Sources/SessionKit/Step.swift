/// One entry of a session.
public struct Step: Sendable, Hashable {
    /// The step kinds a session file may use, by their YAML key.
    public enum Kind: String, CaseIterable, Sendable {
        case say, pause, breathe, sink, hold
        case contractRelax = "contract-relax"
        case move, wait, rest

        /// The German title a step gets when the file gives none.
        public var defaultTitle: String {
            switch self {
            case .say: "Ansage"
            case .pause: "Pause"
            case .breathe: "Atmen"
            case .sink: "Einsinken"
            case .hold: "Halten"
            case .contractRelax: "Anspannen und Lösen"
            case .move: "Bewegen"
            case .wait: "Warten"
            case .rest: "Ruhelage"
            }
        }
    }

    /// How long a paced step lasts: whole cycles, or a duration rounded up to whole cycles.
    public enum Length: Sendable, Hashable {
        case cycles(Int)
        case seconds(Tenths)
    }

    /// What the step does, with every value concrete.
    public enum Body: Sendable, Hashable {
        /// Speak one cue, then leave `after` of silence.
        case say(CueUse, after: Tenths)
        /// Silence.
        case pause(Tenths)
        /// Paced breathing (`breathe`, `move`, `sink`, `hold`, `rest`) with anchored cues.
        case paced(Length, cues: [AnchoredCue])
        /// Tense on an inhale (held for `tension`), release on the exhale, one free cycle; `reps` times.
        case contractRelax(reps: Int, tension: Tenths, tense: CueUse, release: CueUse)
        /// Speak a cue, then wait for the user (in export: `export` long, counted from the step's start).
        case wait(CueUse?, export: Tenths)
    }

    public var kind: Kind
    /// The step's id (`hold`), the kind unless the file names one.
    public var id: String
    /// The German title, with the side when it has one (`Halten (links)`).
    public var title: String
    public var side: Side?
    /// The breath pattern this step paces (the session's unless the step has its own).
    public var breath: BreathPattern
    public var body: Body
    /// Where the step starts in its file.
    public var location: SourceLocation

    public init(kind: Kind, id: String, title: String, side: Side?, breath: BreathPattern,
                body: Body, location: SourceLocation) {
        self.kind = kind
        self.id = id
        self.title = title
        self.side = side
        self.breath = breath
        self.body = body
        self.location = location
    }

    /// Every cue the step speaks, in the order it names them.
    public var cueUses: [CueUse] {
        switch body {
        case let .say(use, _): [use]
        case .pause: []
        case let .paced(_, cues): cues.map(\.use)
        case let .contractRelax(_, _, tense, release): [tense, release]
        case let .wait(use, _): use.map { [$0] } ?? []
        }
    }
}

/// A cue id as the session file uses it, with where.
public struct CueUse: Sendable, Hashable {
    public var id: String
    public var location: SourceLocation

    public init(id: String, location: SourceLocation) {
        self.id = id
        self.location = location
    }
}

/// A cue placed on the breath inside a paced step.
public struct AnchoredCue: Sendable, Hashable {
    /// The breath boundary a cue is placed on.
    public enum Anchor: String, Sendable, CaseIterable {
        case inhale, exhale
    }

    /// Whether the cue starts on the boundary or ends on it.
    public enum Align: String, Sendable, CaseIterable {
        case start, end
    }

    public var use: CueUse
    public var anchor: Anchor
    /// Which cycle, from 1; negative counts from the end (`-1` is the last).
    public var cycle: Int
    public var align: Align
    /// On every cycle instead of one (`sink`'s release cue).
    public var everyCycle: Bool

    public init(use: CueUse, anchor: Anchor, cycle: Int = 1, align: Align = .start, everyCycle: Bool = false) {
        self.use = use
        self.anchor = anchor
        self.cycle = cycle
        self.align = align
        self.everyCycle = everyCycle
    }
}
