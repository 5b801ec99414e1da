import Planning

/// Where `--follow-breath` may change the pacing, found once before playing so that the
/// playback thread only searches sorted arrays (no allocation).
///
/// Only the plain paced steps count (hold, breathe, rest, move, sink: the steps `+` extends):
/// a contract-relax's tension is never lengthened or cut.
///
/// - Exhale cues: a cue placed to start on a paced exhale (`at: exhale`, `align: start`), such
///   as `sink.exhale` or `release.exhale`, may wait there for a detected exhale, up to its cycle.
/// - Cycle boundaries: the first frame of a cycle that follows another of the same step. A
///   stretch holds the pacing there (the breath out of the cycle before it lasts longer); a
///   shortening skips the tail of the cycle before it, where no cue speaks.
///
/// Thread-safety: an immutable value.
struct AdaptationPoints: Sendable {
    /// The largest stretch or shortening of one cycle: this fraction of its length.
    static let maximumFraction = 0.2
    /// At most this fraction of the phase before a boundary is ever skipped.
    static let maximumTailFraction = 0.5

    /// Where each exhale cue starts, sorted, with the first frame of its cycle and its length.
    let exhaleCues: [Int64]
    let exhaleCueCycleStarts: [Int64]
    let exhaleCueCycleLengths: [Int64]
    /// Each cycle boundary, sorted, with the length of the cycle that ends there.
    let boundaries: [Int64]
    let boundaryCycleLengths: [Int64]
    /// Whether no cue sounds across the boundary (none starts before it and ends after it).
    let boundaryIsQuiet: [Bool]
    /// How much of the cycle's end before the boundary may be skipped: no cue in it, at most
    /// ``maximumTailFraction`` of its last phase and ``maximumFraction`` of the cycle.
    let boundaryQuietTails: [Int64]

    init(_ timeline: Timeline) {
        let steps = timeline.steps
        var voices: [(start: Int64, end: Int64)] = []
        var cues: [Int64] = []
        var phaseStarts: [Int64] = []
        var cycleStartsByStep: [Int: [Int64]] = [:]
        for event in timeline.events {
            switch event.kind {
            case .voice(_, _, let anchor, let align):
                voices.append((event.start, event.end))
                if anchor == .exhale, align == .start, steps.indices.contains(event.step), steps[event.step].isExtendable {
                    cues.append(event.start)
                }
            case .tone(.chime, _):
                // A chime announces the cue it ends on: it is kept whole like the cue.
                voices.append((event.start, event.end))
            case .breath(let phase, _):
                guard steps.indices.contains(event.step), steps[event.step].isExtendable else { continue }
                phaseStarts.append(event.start)
                if phase == .inhale { cycleStartsByStep[event.step, default: []].append(event.start) }
            default:
                continue
            }
        }
        phaseStarts.sort()
        // A cycle runs from its inhale to the next inhale of its step, the last to its step's end.
        var cycles: [(start: Int64, end: Int64, isFirst: Bool)] = []
        for (step, starts) in cycleStartsByStep {
            let sorted = starts.sorted()
            for (offset, start) in sorted.enumerated() {
                let end = offset + 1 < sorted.count ? sorted[offset + 1] : steps[step].end
                cycles.append((start, end, offset == 0))
            }
        }
        cycles.sort { $0.start < $1.start }
        let merged = Self.merge(voices)
        func cycle(containing position: Int64) -> (start: Int64, end: Int64, isFirst: Bool)? {
            let after = cycles.partitionPoint { $0.start > position }
            guard after > 0, cycles[after - 1].end > position else { return nil }
            return cycles[after - 1]
        }
        var cueStarts: [Int64] = []
        var cueCycleStarts: [Int64] = []
        var cueCycleLengths: [Int64] = []
        for cue in Set(cues).sorted() {
            guard let around = cycle(containing: cue) else { continue }
            cueStarts.append(cue)
            cueCycleStarts.append(around.start)
            cueCycleLengths.append(around.end - around.start)
        }
        exhaleCues = cueStarts
        exhaleCueCycleStarts = cueCycleStarts
        exhaleCueCycleLengths = cueCycleLengths
        var points: [Int64] = []
        var lengths: [Int64] = []
        var quiet: [Bool] = []
        var tails: [Int64] = []
        for index in cycles.indices where !cycles[index].isFirst && index > 0 {
            let boundary = cycles[index].start
            let before = cycles[index - 1]
            guard before.end == boundary else { continue }
            let length = boundary - before.start
            points.append(boundary)
            lengths.append(length)
            quiet.append(!Self.sounds(merged, at: boundary))
            // The last phase before the boundary, and the part of it after the last cue.
            let lastPhase = phaseStarts.partitionPoint { $0 >= boundary }
            let phaseStart = lastPhase > 0 ? max(before.start, phaseStarts[lastPhase - 1]) : before.start
            var tail = Int64(Double(boundary - phaseStart) * Self.maximumTailFraction)
            tail = min(tail, Int64(Double(length) * Self.maximumFraction))
            let lastVoice = merged.partitionPoint { $0.start >= boundary }
            if lastVoice > 0 { tail = min(tail, max(0, boundary - merged[lastVoice - 1].end)) }
            tails.append(tail)
        }
        boundaries = points
        boundaryCycleLengths = lengths
        boundaryIsQuiet = quiet
        boundaryQuietTails = tails
    }

    /// The intervals in `intervals`, overlapping ones joined, sorted.
    static func merge(_ intervals: [(start: Int64, end: Int64)]) -> [(start: Int64, end: Int64)] {
        var merged: [(start: Int64, end: Int64)] = []
        for interval in intervals.sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, interval.start <= last.end {
                merged[merged.count - 1].end = max(last.end, interval.end)
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    /// Whether one of the (merged) intervals starts before `position` and ends after it.
    static func sounds(_ merged: [(start: Int64, end: Int64)], at position: Int64) -> Bool {
        let after = merged.partitionPoint { $0.start >= position }
        return after > 0 && merged[after - 1].end > position
    }

    /// The largest stretch at boundary `index`: ``maximumFraction`` of the cycle ending there.
    func maximumStretch(at index: Int) -> Int64 {
        Int64(Double(boundaryCycleLengths[index]) * Self.maximumFraction)
    }
}
