import Planning

/// Lookup tables over a timeline, built once before playback so the playback thread only
/// searches sorted arrays (no allocation).
struct TimelineIndex: Sendable {
    let stepStarts: [Int64]
    let stepEnds: [Int64]
    /// Steps whose length can grow by a cycle (hold, breathe, rest, move, sink).
    let stepExtendable: [Bool]
    /// Every inhale's first frame, sorted, with its step.
    let inhaleStarts: [Int64]
    let inhaleSteps: [Int]
    let voiceStarts: [Int64]
    let voiceEnds: [Int64]
    /// For each `wait` step: where playing stops to wait (after its cue), and where it ends.
    let waitPoints: [Int64]
    let waitEnds: [Int64]
    let frameCount: Int64

    init(_ timeline: Timeline) {
        stepStarts = timeline.steps.map(\.start)
        stepEnds = timeline.steps.map(\.end)
        stepExtendable = timeline.steps.map { step in
            switch step.kind {
            case .hold, .breathe, .rest, .move, .sink: true
            default: false
            }
        }
        var inhales: [(Int64, Int)] = []
        var voices: [(Int64, Int64)] = []
        for event in timeline.events {
            switch event.kind {
            case .breath(.inhale, _): inhales.append((event.start, event.step))
            case .voice: voices.append((event.start, event.end))
            default: continue
            }
        }
        inhaleStarts = inhales.map(\.0)
        inhaleSteps = inhales.map(\.1)
        voiceStarts = voices.map(\.0)
        voiceEnds = voices.map(\.1)
        var holds: [Int64] = []
        var ends: [Int64] = []
        for (index, step) in timeline.steps.enumerated() where step.kind == .wait {
            let cueEnd = timeline.events.first { $0.step == index && { if case .voice = $0.kind { true } else { false } }($0) }?.end
            holds.append(cueEnd ?? step.start)
            ends.append(step.end)
        }
        waitPoints = holds
        waitEnds = ends
        frameCount = timeline.frameCount
    }

    /// The index of the last element ≤ `value` in a sorted array, or `nil`.
    static func lastIndex(in array: [Int64], atMost value: Int64) -> Int? {
        let after = array.partitionPoint { $0 > value }
        return after > 0 ? after - 1 : nil
    }

    /// The index of the first element ≥ `value`, or `array.count`.
    static func firstIndex(in array: [Int64], atLeast value: Int64) -> Int {
        array.partitionPoint { $0 >= value }
    }

    func step(at position: Int64) -> Int {
        guard let index = Self.lastIndex(in: stepStarts, atMost: position) else { return 0 }
        // Zero-length steps share a start; the one that contains the position is the last.
        return min(index, stepStarts.count - 1)
    }

    /// Where to pick up after a pause at `position`: the start of the breath cycle it was in,
    /// or of the cue it interrupted.
    func resumePoint(for position: Int64) -> Int64 {
        let step = step(at: position)
        if let inhale = Self.lastIndex(in: inhaleStarts, atMost: position), inhaleSteps[inhale] == step {
            return inhaleStarts[inhale]
        }
        if let voice = Self.lastIndex(in: voiceStarts, atMost: position), voiceEnds[voice] > position {
            return voiceStarts[voice]
        }
        return position
    }

    /// The cycle a one-cycle extension replays, and where it goes in: the end of the current
    /// cycle. Prefers a cycle of the step without a voice cue; `nil` when the step cannot grow.
    func extraCycle(at position: Int64) -> (insertAt: Int64, start: Int64, end: Int64)? {
        let step = step(at: position)
        guard step < stepExtendable.count, stepExtendable[step] else { return nil }
        let first = Self.firstIndex(in: inhaleStarts, atLeast: stepStarts[step])
        var last = first
        while last < inhaleStarts.count, inhaleSteps[last] == step { last += 1 }
        guard last > first else { return nil }
        // Cycle k spans [inhaleStarts[k], next inhale or step end).
        func cycleEnd(_ k: Int) -> Int64 { k + 1 < last ? inhaleStarts[k + 1] : stepEnds[step] }
        let next = Self.firstIndex(in: inhaleStarts, atLeast: position + 1)
        let insertAt = next < last ? inhaleStarts[next] : stepEnds[step]
        var chosen: Int?
        for k in stride(from: last - 1, through: first, by: -1) where cycleEnd(k) <= insertAt {
            let start = inhaleStarts[k]
            let end = cycleEnd(k)
            let voice = Self.firstIndex(in: voiceEnds, atLeast: start + 1)
            let silent = voice >= voiceStarts.count || voiceStarts[voice] >= end
            if silent {
                chosen = k
                break
            }
            if chosen == nil, end == insertAt { chosen = k }
        }
        guard let k = chosen ?? (next - 1 >= first ? next - 1 : nil) else { return nil }
        return (insertAt, inhaleStarts[k], cycleEnd(k))
    }
}
