import SessionKit

#if canImport(Glibc)
import Glibc
#endif

extension TimelineBuilder {
    // MARK: - Paced steps

    mutating func addPaced(_ step: Step, index: Int, length: Step.Length, cues: [AnchoredCue]) throws(PlanError) {
        let pattern = step.breath
        let cycleCount: Int
        switch length {
        case let .cycles(count): cycleCount = count
        case let .seconds(seconds): cycleCount = Int((seconds.value + pattern.cycleLength.value - 1) / pattern.cycleLength.value)
        }
        try checkLength(position + (pattern.cycleLength * Int64(cycleCount)).frames(at: rate), step)
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
        if step.kind == .hold, case let .seconds(seconds) = length {
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

    // MARK: - Contract-relax

    /// Each repetition: the tense cue on an inhale, the tension as the hold-in, the release cue on
    /// the exhale's first frame, then one free cycle (timing rule 5).
    mutating func addContractRelax(_ step: Step, index: Int, reps: Int, tension: Tenths, tense: CueUse,
                                   release: CueUse) throws(PlanError) {
        let pattern = step.breath
        try checkLength(position + ((pattern.cycleLength * 2 + tension) * Int64(reps)).frames(at: rate), step)
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
}
