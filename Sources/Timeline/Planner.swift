import SessionKit

#if canImport(Glibc)
import Glibc
#endif

/// Turns a ``Session`` into a frame-exact ``Timeline``, by the timing rules written at each step below.
///
/// Pure and deterministic: the same session, options and clip lengths give the same timeline.
public struct Planner: Sendable {
    public var options: PlanOptions
    /// The German texts of the cues.
    public var manifest: CueManifest
    /// The length of each cue's clip in frames at ``PlanOptions/sampleRate``.
    public var clipDurations: [String: Int64]

    /// How long a `bell` rings at most: through its phase, up to this.
    public static let bellLength = Tenths(60)
    /// How far the tones fade through a `rest` step, evenly in decibels from its first cycle to its last.
    public static let restFadeDecibels = 36.0

    /// A cue with this long a quiet stretch before it (no voice, and no tone above
    /// ``quietToneLevel``) is announced by a ``ToneName/chime`` (unless the tones are off).
    public static let quietStretch = Tenths(80)
    /// Tones at or below this level (−20 dB, as in the second half of a rest's fade) count as quiet.
    public static let quietToneLevel = 0.1
    /// The chime's length; it ends on the first frame of the cue it announces.
    public static let chimeLength = Tenths(20)

    public init(options: PlanOptions, manifest: CueManifest, clipDurations: [String: Int64]) {
        self.options = options
        self.manifest = manifest
        self.clipDurations = clipDurations
    }

    /// Plans `session`.
    /// - Throws: ``PlanError`` when a cue has no clip, is too long for its phase, or two cues overlap.
    public func plan(_ session: Session) throws(PlanError) -> Timeline {
        var builder = TimelineBuilder(planner: self)
        for step in session.steps {
            try builder.add(step)
        }
        try builder.checkVoiceOverlaps(session)
        builder.addChimes()
        return builder.timeline(for: session)
    }

    /// Every cue use of `session` that must fit a span (a breath phase or a wait), with its
    /// clip's length and the span's, by the same rules as ``plan(_:)``. A cue too long for its
    /// span is listed instead of stopping the planning; overlaps are not checked.
    /// - Throws: ``PlanError`` for any other problem (a cue without a clip, a cycle the step
    ///   does not have, a session too long).
    public func fits(_ session: Session) throws(PlanError) -> [CueFit] {
        var builder = TimelineBuilder(planner: self)
        builder.fits = []
        for step in session.steps {
            try builder.add(step)
        }
        return builder.fits ?? []
    }

    func clipDuration(_ use: CueUse, in step: Step) throws(PlanError) -> Int64 {
        guard let frames = clipDurations[use.id] else {
            throw PlanError(location: use.location,
                            message: "cue '\(use.id)' has no clip in the voice pack (step '\(step.id)')")
        }
        return frames
    }

    func text(_ id: String) -> String { manifest.text(for: id) ?? "" }

    /// Frame counts at ``PlanOptions/sampleRate`` as text, for messages.
    var clockText: ClockText { ClockText(sampleRate: options.sampleRate) }
}

// MARK: - Building

struct TimelineBuilder {
    let planner: Planner
    var rate: Int { planner.options.sampleRate }
    var position: Int64 = 0
    var events: [Event] = []
    var steps: [Timeline.StepInfo] = []
    /// Which step and cue use made each voice event, for overlap messages.
    var voiceOrigins: [Int: (step: Step, use: CueUse)] = [:]
    /// When set, every cue use that must fit a span is added here, and one too long for it
    /// does not stop the planning.
    var fits: [CueFit]?

    init(planner: Planner) {
        self.planner = planner
    }

    /// The longest session in frames.
    var maximumFrames: Int64 { Limits.maximumSessionSeconds * Int64(rate) }

    func checkLength(_ end: Int64, _ step: Step) throws(PlanError) {
        guard end <= maximumFrames else {
            throw PlanError(location: step.location, message:
                "the session would last longer than \(Limits.maximumSessionSeconds / 3600) hours at step '\(step.id)'; shorten it")
        }
    }

    mutating func add(_ step: Step) throws(PlanError) {
        let index = steps.count
        let start = position
        let stepEventIndex = events.count
        events.append(Event(kind: .step, step: index, start: start, end: start))
        switch step.body {
        case let .say(use, after):
            let length = try planner.clipDuration(use, in: step)
            addVoice(use, step: step, index: index, anchor: .step, align: .start, start: start, length: length)
            position = start + length + after.frames(at: rate)
        case let .pause(seconds):
            position = start + seconds.frames(at: rate)
        case let .paced(length, cues):
            try addPaced(step, index: index, length: length, cues: cues)
        case let .contractRelax(reps, tension, tense, release):
            try addContractRelax(step, index: index, reps: reps, tension: tension, tense: tense, release: release)
        case let .wait(use, export):
            let end = start + export.frames(at: rate)
            if let use {
                let length = try planner.clipDuration(use, in: step)
                let fit = CueFit(cue: use.id, location: use.location, step: step.id, length: length,
                                 room: end - start, span: "wait", rate: rate)
                if fits != nil {
                    fits?.append(fit)
                } else if fit.isTooLong {
                    throw PlanError(location: use.location, message:
                        "cue '\(use.id)' lasts \(planner.clockText.seconds(length)) but the wait's 'export' is only \(export) s (step '\(step.id)')")
                }
                addVoice(use, step: step, index: index, anchor: .step, align: .start, start: start, length: length)
            }
            events.append(Event(kind: .wait(exportSeconds: export), step: index, start: start, end: end))
            position = end
        }
        try checkLength(position, step)
        events[stepEventIndex] = Event(kind: .step, step: index, start: start, end: position)
        let paces: Bool = switch step.body {
        case .paced, .contractRelax: true
        case .say, .pause, .wait: false
        }
        steps.append(Timeline.StepInfo(id: step.id, title: step.title, kind: step.kind, side: step.side,
                                       breath: paces ? step.breath : nil, start: start, end: position))
    }

    mutating func addVoice(_ use: CueUse, step: Step, index: Int, anchor: VoiceAnchor,
                           align: AnchoredCue.Align, start: Int64, length: Int64) {
        voiceOrigins[events.count] = (step, use)
        events.append(Event(kind: .voice(cue: use.id, text: planner.text(use.id), anchor: anchor, align: align),
                            step: index, start: start, end: start + length))
    }

    // MARK: Paced steps

    mutating func addPaced(_ step: Step, index: Int, length: Step.Length, cues: [AnchoredCue]) throws(PlanError) {
        let pattern = step.breath
        let cycleCount: Int
        switch length {
        case let .cycles(count): cycleCount = count
        case let .duration(seconds): cycleCount = Int((seconds.value + pattern.cycle.value - 1) / pattern.cycle.value)
        }
        try checkLength(position + (pattern.cycle * Int64(cycleCount)).frames(at: rate), step)
        let fades = step.kind == .rest
        var clock = BreathClock(start: position, rate: rate)
        var cycles: [CycleFrames] = []
        for cycle in 0..<cycleCount {
            let fade: Double = Planner.restFadeDecibels * Double(cycle) / Double(max(1, cycleCount - 1))
            let level: Double = fades ? pow(10, -fade / 20) : 1
            cycles.append(addCycle(pattern, holdIn: pattern.holdIn, clock: &clock, cycle: cycle + 1,
                                   index: index, toneLevel: level))
        }
        let end = clock.position
        if step.kind == .hold, case let .duration(seconds) = length {
            events.append(Event(kind: .hold(seconds: seconds, cycles: cycleCount), step: index, start: position, end: end))
        }
        for cue in cues {
            let targets: [Int]
            if cue.everyCycle {
                targets = Array(0..<cycleCount)
            } else {
                let target = cue.cycle > 0 ? cue.cycle - 1 : cycleCount + cue.cycle
                guard (0..<cycleCount).contains(target) else {
                    throw PlanError(location: cue.use.location, message:
                        "cue '\(cue.use.id)' is placed on cycle \(cue.cycle), but step '\(step.id)' has \(cycleCount) cycle\(cycleCount == 1 ? "" : "s")")
                }
                targets = [target]
            }
            for target in targets {
                try placeCue(cue, cycles: cycles, target: target, step: step, index: index, stepStart: position)
            }
        }
        position = end
    }

    /// Adds one cycle's breath and tone events; returns its boundaries.
    mutating func addCycle(_ pattern: BreathPattern, holdIn: Tenths, clock: inout BreathClock, cycle: Int,
                           index: Int, toneLevel: Double) -> CycleFrames {
        var frames = CycleFrames()
        let phases: [(BreathPhase, Tenths)] = [
            (.inhale, pattern.inhale), (.holdIn, holdIn), (.exhale, pattern.exhale), (.holdOut, pattern.holdOut),
        ]
        for (phase, length) in phases {
            let start = clock.position
            let end = clock.advance(by: length)
            switch phase {
            case .inhale: frames.inhale = start
            case .holdIn: frames.holdIn = start
            case .exhale: frames.exhale = start
            case .holdOut: frames.holdOut = start
            }
            guard end > start else { continue }
            events.append(Event(kind: .breath(phase: phase, cycle: cycle), step: index, start: start, end: end))
            addTone(phase: phase, start: start, end: end, index: index, level: toneLevel)
        }
        frames.end = clock.position
        return frames
    }

    mutating func addTone(phase: BreathPhase, start: Int64, end: Int64, index: Int, level: Double) {
        guard level > 0.001 else { return }
        switch planner.options.tones {
        case .off:
            return
        case .glide:
            switch phase {
            case .inhale: events.append(Event(kind: .tone(name: .inhale, level: level), step: index, start: start, end: end))
            case .exhale: events.append(Event(kind: .tone(name: .exhale, level: level), step: index, start: start, end: end))
            case .holdIn, .holdOut: return
            }
        case .bell:
            let name: ToneName = switch phase {
            case .inhale: .bellInhale
            case .holdIn: .bellHoldIn
            case .exhale: .bellExhale
            case .holdOut: .bellHoldOut
            }
            let length = min(end - start, Planner.bellLength.frames(at: rate))
            events.append(Event(kind: .tone(name: name, level: level), step: index, start: start, end: start + length))
        }
    }

    /// Places an anchored cue on one cycle (timing rule 3), checking it fits between the
    /// neighbouring anchor boundaries.
    mutating func placeCue(_ cue: AnchoredCue, cycles: [CycleFrames], target: Int, step: Step, index: Int,
                           stepStart: Int64) throws(PlanError) {
        let length = try planner.clipDuration(cue.use, in: step)
        let cycle = cycles[target]
        let boundary = cue.anchor == .inhale ? cycle.inhale : cycle.exhale
        let start: Int64
        let room: Int64
        switch (cue.anchor, cue.align) {
        case (.inhale, .start):
            start = boundary
            room = cycle.exhale - boundary
        case (.exhale, .start):
            start = boundary
            room = cycle.end - boundary
        case (.inhale, .end):
            start = boundary - length
            room = boundary - (target > 0 ? cycles[target - 1].exhale : stepStart)
        case (.exhale, .end):
            start = boundary - length
            room = boundary - cycle.inhale
        }
        let phase = cue.anchor == .inhale ? "inhale" : "exhale"
        let span: String = switch (cue.anchor, cue.align) {
        case (.inhale, .start): cycle.exhale > cycle.holdIn ? "inhale and hold" : "inhale"
        case (.exhale, .start): cycle.end > cycle.holdOut ? "exhale and hold" : "exhale"
        case (_, .end): "span before the \(phase)"
        }
        let fit = CueFit(cue: cue.use.id, location: cue.use.location, step: step.id, length: length, room: room,
                         span: span, rate: rate)
        if fits != nil {
            fits?.append(fit)
        } else if fit.isTooLong {
            let place = cue.align == .start ? "from the \(phase) of cycle \(target + 1)" : "before the \(phase) of cycle \(target + 1)"
            throw PlanError(location: cue.use.location, message:
                "cue '\(cue.use.id)' lasts \(planner.clockText.seconds(length)) but there are only \(planner.clockText.seconds(room)) \(place) in step '\(step.id)' (breath \(step.breath)); use a longer breath or a shorter cue")
        }
        addVoice(cue.use, step: step, index: index, anchor: cue.anchor == .inhale ? .inhale : .exhale,
                 align: cue.align, start: start, length: length)
    }

    // MARK: Contract-relax

    /// Each repetition: the tense cue on an inhale, the tension as the hold-in, the release cue on
    /// the exhale's first frame, then one free cycle (timing rule 5).
    mutating func addContractRelax(_ step: Step, index: Int, reps: Int, tension: Tenths, tense: CueUse,
                                   release: CueUse) throws(PlanError) {
        let pattern = step.breath
        try checkLength(position + ((pattern.cycle * 2 + tension) * Int64(reps)).frames(at: rate), step)
        var clock = BreathClock(start: position, rate: rate)
        var cycle = 1
        for rep in 1...reps {
            let frames = addCycle(pattern, holdIn: tension, clock: &clock, cycle: cycle, index: index, toneLevel: 1)
            events.append(Event(kind: .tension(rep: rep), step: index, start: frames.holdIn, end: frames.exhale))
            let tenseCue = AnchoredCue(use: tense, anchor: .inhale)
            let releaseCue = AnchoredCue(use: release, anchor: .exhale)
            try placeCue(tenseCue, cycles: [frames], target: 0, step: step, index: index, stepStart: position)
            try placeCue(releaseCue, cycles: [frames], target: 0, step: step, index: index, stepStart: position)
            _ = addCycle(pattern, holdIn: pattern.holdIn, clock: &clock, cycle: cycle + 1, index: index, toneLevel: 1)
            cycle += 2
        }
        position = clock.position
    }

    // MARK: Finishing

    /// Timing rule 6: two voice events never overlap.
    func checkVoiceOverlaps(_ session: Session) throws(PlanError) {
        let voices = events.indices.filter { if case .voice = events[$0].kind { true } else { false } }
            .sorted { (events[$0].start, $0) < (events[$1].start, $1) }
        for (earlier, later) in zip(voices, voices.dropFirst()) where events[later].start < events[earlier].end {
            guard let first = voiceOrigins[earlier], let second = voiceOrigins[later] else { continue }
            let overlap = events[earlier].end - events[later].start
            throw PlanError(location: second.use.location, message:
                "cue '\(second.use.id)' in step '\(second.step.id)' overlaps cue '\(first.use.id)' of step '\(first.step.id)' by \(planner.clockText.seconds(overlap)); two voice cues never overlap")
        }
    }

    /// Announces every cue that follows a quiet stretch of ``Planner/quietStretch`` (no voice
    /// and no tone above ``Planner/quietToneLevel``, inside the session) with a chime that ends
    /// on the cue's first frame. The cues stay where they are. The chime belongs to the step it
    /// starts in.
    mutating func addChimes() {
        guard planner.options.tones != .off else { return }
        let quiet = Planner.quietStretch.frames(at: rate)
        let length = Planner.chimeLength.frames(at: rate)
        var voices: [Event] = []
        var loudTones: [Event] = []
        for event in events {
            switch event.kind {
            case .voice: voices.append(event)
            case let .tone(_, level) where level > Planner.quietToneLevel: loudTones.append(event)
            default: continue
            }
        }
        voices.sort { $0.start < $1.start }
        loudTones.sort { $0.start < $1.start }
        // Sweeping both in order of start: a tone that starts before the cue and ends after the
        // stretch began sounds in the stretch, so the latest end among the tones started so far
        // says whether any does.
        var toneIndex = 0
        var loudUntil = Int64.min
        var spokenUntil = Int64.min
        var chimes: [Event] = []
        for voice in voices {
            defer { spokenUntil = max(spokenUntil, voice.end) }
            while toneIndex < loudTones.count, loudTones[toneIndex].start < voice.start {
                loudUntil = max(loudUntil, loudTones[toneIndex].end)
                toneIndex += 1
            }
            let stretch = voice.start - quiet
            guard stretch >= 0, spokenUntil <= stretch, loudUntil <= stretch else { continue }
            let start = voice.start - length
            var step = voice.step
            while step > 0, steps[step].start > start { step -= 1 }
            chimes.append(Event(kind: .tone(name: .chime, level: 1), step: step, start: start, end: voice.start))
        }
        events += chimes
    }

    func timeline(for session: Session) -> Timeline {
        let order = events.indices.sorted { (events[$0].start, $0) < (events[$1].start, $1) }
        return Timeline(sessionID: session.id, title: session.title, sampleRate: rate,
                        channelCount: planner.options.channelCount, frameCount: position,
                        steps: steps, events: order.map { events[$0] })
    }
}

/// The first frame of each phase of one cycle, and of the next cycle.
struct CycleFrames {
    var inhale: Int64 = 0
    var holdIn: Int64 = 0
    var exhale: Int64 = 0
    var holdOut: Int64 = 0
    var end: Int64 = 0
}

/// Timing rule 1: a phase boundary is `round(cumulative seconds × rate)` of the running total
/// since the step's start, never a sum of rounded phases.
struct BreathClock {
    let start: Int64
    let rate: Int
    private(set) var elapsed = Tenths.zero

    init(start: Int64, rate: Int) {
        self.start = start
        self.rate = rate
    }

    var position: Int64 { start + elapsed.frames(at: rate) }

    /// Moves on by `length`; returns the new position.
    mutating func advance(by length: Tenths) -> Int64 {
        elapsed = elapsed + length
        return position
    }
}
