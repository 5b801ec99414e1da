import SessionKit

/// Builds a ``Timeline`` step by step for ``Planner``: the events, the steps' spans, and the
/// checks that need the whole session (voice overlaps, chimes before quiet stretches).
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

    // MARK: - Finishing

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
