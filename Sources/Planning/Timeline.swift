import SessionKit

/// The planned, immutable list of events of one session, every position in frames.
///
/// Events are sorted by start, then by the order the planner made them; `end` is exclusive.
public struct Timeline: Sendable, Hashable {
    public let sessionID: String
    public let title: String
    public let sampleRate: Int
    public let channelCount: Int
    /// The session's length in frames.
    public let frameCount: Int64
    /// One entry per step, in playing order; events refer to them by index.
    public let steps: [StepInfo]
    public let events: [Event]

    public init(sessionID: String, title: String, sampleRate: Int, channelCount: Int,
                frameCount: Int64, steps: [StepInfo], events: [Event]) {
        self.sessionID = sessionID
        self.title = title
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = frameCount
        self.steps = steps
        self.events = events
    }

    /// A step as placed on the timeline.
    public struct StepInfo: Sendable, Hashable {
        public let id: String
        public let title: String
        public let kind: Step.Kind
        public let side: Side?
        /// The breath pattern it paces, for breathing steps.
        public let breath: BreathPattern?
        public let start: Int64
        public let end: Int64
    }

    /// The session's duration in seconds, for display.
    public var durationInSeconds: Double { Double(frameCount) / Double(sampleRate) }
}

/// One thing that happens on the timeline, from `start` (inclusive) to `end` (exclusive).
public struct Event: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A step begins; it lasts until `end`.
        case step
        /// One phase of breath cycle `cycle` (counted from 1 within the step).
        case breath(phase: BreathPhase, cycle: Int)
        /// A spoken cue.
        case voice(cue: String, text: String, anchor: VoiceAnchor, align: AnchoredCue.Align)
        /// A massage hold: `seconds` asked for, `cycles` whole cycles given.
        case hold(seconds: Tenths, cycles: Int)
        /// A pacing tone; `level` is 1 at full tone volume and falls towards 0 in a rest.
        case tone(name: ToneName, level: Double)
        /// A wait for the user, lasting `exportSeconds` in export.
        case wait(exportSeconds: Tenths)
        /// The tension of contract-relax repetition `rep` (from 1).
        case tension(rep: Int)
    }

    public let kind: Kind
    /// The index of the step in ``Timeline/steps``.
    public let step: Int
    public let start: Int64
    public let end: Int64

    public init(kind: Kind, step: Int, start: Int64, end: Int64) {
        self.kind = kind
        self.step = step
        self.start = start
        self.end = end
    }

    public var duration: Int64 { end - start }
}

/// What a voice cue is placed on.
public enum VoiceAnchor: String, Sendable, Hashable {
    /// The start of its step (`say`, `wait`).
    case step
    case inhale, exhale
}

/// Which pacing sound a tone event is.
public enum ToneName: String, Sendable, Hashable {
    /// `glide`: rising through the inhale.
    case inhale
    /// `glide`: falling through the exhale.
    case exhale
    /// `bell`: a bell struck at the start of each phase, ringing through it.
    case bellInhale = "bell.inhale"
    case bellHoldIn = "bell.holdIn"
    case bellExhale = "bell.exhale"
    case bellHoldOut = "bell.holdOut"
    /// A soft chime ending on the first frame of a cue that follows a long quiet stretch (see
    /// ``Planner/quietStretch``), so the voice does not enter out of silence.
    case chime
}
