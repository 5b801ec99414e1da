import Planning
import SessionKit

#if canImport(Glibc)
import Glibc
#endif

/// 0 at 0, 1 at 1, flat at both ends: how the bed's level moves within a segment.
@inline(__always)
func smoothStep(_ progress: Float) -> Float { progress * progress * (3 - 2 * progress) }

/// The bed as the renderer plays it: a seamless loop of noise at unit loudness times an
/// envelope that is a function of the frame alone (so any block size, and any seek, gives the
/// same bits).
struct AmbienceBed {
    /// One stretch of the envelope: from `from` at `start` to `to` at `end`, along a smooth step.
    struct Segment {
        var start: Int64
        var end: Int64
        var from: Float
        var to: Float

        /// The envelope at `position` (within the segment).
        func level(at position: Int64) -> Float {
            from + (to - from) * smoothStep(Float(position - start) / Float(end - start))
        }
    }

    let noise: [Float]
    let segments: [Segment]
    /// The bed's level at an envelope of 1 (the noise loop has an RMS of 1).
    let gain: Float
    /// The envelope between breathing steps, where a held wait settles.
    let rest: Float
    /// How long a held wait takes to settle at ``rest``.
    let settleFrames: Int64

    /// Adds the bed for `[blockStart, blockEnd)` into `bus`, starting at segment `cursor`;
    /// returns the cursor for the next block.
    /// - Parameter overwriting: `bus` has not been cleared: it gets exactly what adding into a
    ///   cleared bus would give (`0 + x`, which is not always `x`: `0 + −0` is `+0`), and 0
    ///   where no segment is, without being cleared first.
    func add(into bus: UnsafeMutablePointer<Float>, from blockStart: Int64, to blockEnd: Int64, cursor: Int,
             overwriting: Bool = false) -> Int {
        var cursor = cursor
        while cursor < segments.count, segments[cursor].end <= blockStart { cursor += 1 }
        let loop = Int64(noise.count)
        // Frames before `valid` hold something to add to (all of them unless overwriting).
        var valid = overwriting ? blockStart : blockEnd
        noise.withUnsafeBufferPointer { samples in
            var index = cursor
            while index < segments.count, segments[index].start < blockEnd {
                let segment = segments[index]
                let first = max(segment.start, blockStart)
                let last = min(segment.end, blockEnd)
                if first > valid {
                    (bus + Int(valid - blockStart)).update(repeating: 0, count: Int(first - valid))
                    valid = first
                }
                let inverseLength = 1 / Float(segment.end - segment.start)
                let span = segment.to - segment.from
                var position = first
                while position < last {
                    // Up to the loop's end at a time, so the inner loop has no wrap test; a run
                    // adds, or (past `valid`) writes 0 plus the bed.
                    let offset = Int(position % loop)
                    var run = Int(min(last - position, loop - Int64(offset)))
                    let adding = position < valid
                    if adding { run = min(run, Int(valid - position)) }
                    let target = bus + Int(position - blockStart)
                    let source = samples.baseAddress! + offset
                    let elapsed = Int32(position - segment.start)
                    if adding {
                        for frame in 0..<Int32(run) {
                            let progress = Float(elapsed &+ frame) * inverseLength
                            let shape = smoothStep(progress)
                            target[Int(frame)] += source[Int(frame)] * (segment.from + span * shape) * gain
                        }
                    } else {
                        let zero: Float = 0
                        for frame in 0..<Int32(run) {
                            let progress = Float(elapsed &+ frame) * inverseLength
                            let shape = smoothStep(progress)
                            target[Int(frame)] = zero + source[Int(frame)] * (segment.from + span * shape) * gain
                        }
                    }
                    position += Int64(run)
                }
                valid = max(valid, last)
                index += 1
            }
        }
        if valid < blockEnd { (bus + Int(valid - blockStart)).update(repeating: 0, count: Int(blockEnd - valid)) }
        return cursor
    }

    /// The envelope at `position` (0 outside the timeline).
    func level(at position: Int64) -> Float {
        let index = firstSegment(endingAfter: position)
        guard index < segments.count, segments[index].start <= position else { return 0 }
        return segments[index].level(at: position)
    }

    /// Adds `count` frames of the bed as it sounds while the session is held at `position` (a
    /// wait for the person): the noise goes on where it was, and its level moves from the
    /// envelope at `position` to the resting level. `held` is how long the hold has lasted.
    func addHeld(into bus: UnsafeMutablePointer<Float>, count: Int, at position: Int64, held: Int64) {
        let loop = Int64(noise.count)
        let from = level(at: position)
        let span = rest - from
        let inverseSettle = 1 / Float(settleFrames)
        noise.withUnsafeBufferPointer { samples in
            var done = 0
            while done < count {
                let elapsed = held + Int64(done)
                let offset = Int((position + elapsed) % loop)
                let run = min(count - done, Int(loop) - offset)
                let source = samples.baseAddress! + offset
                let target = bus + done
                for frame in 0..<run {
                    let progress = min(1, Float(elapsed + Int64(frame)) * inverseSettle)
                    let shape = smoothStep(progress)
                    target[frame] += source[frame] * (from + span * shape) * gain
                }
                done += run
            }
        }
    }

    /// The first segment that ends after `position`.
    func firstSegment(endingAfter position: Int64) -> Int {
        segments.partitionPoint { $0.end > position }
    }
}

extension AmbienceBed {
    /// How the bed of each style sounds: the envelope at the bottom and top of a breath, between
    /// breathing steps, and its level.
    struct Shape {
        var low: Float
        var high: Float
        var rest: Float
        /// The bed's RMS at an envelope of 1, as a fraction of full scale.
        var gain: Float
    }

    static func shape(_ style: AmbienceStyle) -> Shape {
        switch style {
        case .surf: Shape(low: 0.3, high: 1, rest: 0.55, gain: 0.018)
        case .rain: Shape(low: 0.7, high: 1, rest: 0.85, gain: 0.011)
        case .off: Shape(low: 0, high: 0, rest: 0, gain: 0)
        }
    }

    /// How long the bed fades in at the start and out at the end of a session.
    static let fadeSeconds = 4.0
    /// How long a held wait takes to settle at the resting level.
    static let settleSeconds = 2.0
    /// The seamless noise loop's length.
    static let loopSeconds = 8.0

    /// The bed of `style` for `timeline`, or `nil` for ``AmbienceStyle/off``.
    static func make(_ style: AmbienceStyle, for timeline: Timeline) -> AmbienceBed? {
        guard style != .off, timeline.frameCount > 0 else { return nil }
        let shape = shape(style)
        let segments = envelope(for: timeline, shape: shape)
        let noise = AmbienceSynth.loop(style, frameCount: Int(loopSeconds * Double(timeline.sampleRate)),
                                       rate: timeline.sampleRate)
        return AmbienceBed(noise: noise, segments: segments, gain: shape.gain, rest: shape.rest,
                           settleFrames: Int64(settleSeconds * Double(timeline.sampleRate)))
    }

    /// The envelope: each breath phase swells or ebbs; between breathing steps the level glides
    /// to the resting level and back; the whole fades in and out.
    static func envelope(for timeline: Timeline, shape: Shape) -> [Segment] {
        var levels: [Segment] = []
        var position: Int64 = 0
        var level = shape.rest
        for event in timeline.events {
            guard case let .breath(phase, _) = event.kind, event.end > event.start else { continue }
            let (from, to): (Float, Float) = switch phase {
            case .inhale: (shape.low, shape.high)
            case .holdIn: (shape.high, shape.high)
            case .exhale: (shape.high, shape.low)
            case .holdOut: (shape.low, shape.low)
            }
            if event.start > position {
                // A stretch without breathing: to the resting level, then to where the breath starts.
                let middle = position + (event.start - position) / 2
                levels.append(Segment(start: position, end: middle, from: level, to: shape.rest))
                levels.append(Segment(start: middle, end: event.start, from: shape.rest, to: from))
            }
            levels.append(Segment(start: max(event.start, position), end: event.end, from: from, to: to))
            position = event.end
            level = to
        }
        if timeline.frameCount > position {
            levels.append(Segment(start: position, end: timeline.frameCount, from: level, to: shape.rest))
        }
        return fade(levels.filter { $0.end > $0.start }, frameCount: timeline.frameCount,
                    fade: Int64(fadeSeconds * Double(timeline.sampleRate)))
    }

    /// Splits the segments at the fade-in's end and the fade-out's start and scales the levels
    /// inside them (a segment's level moves evenly enough at these lengths).
    static func fade(_ segments: [Segment], frameCount: Int64, fade: Int64) -> [Segment] {
        let fade = min(fade, frameCount / 2)
        guard fade > 0 else { return segments }
        let fadeInEnd = fade
        let fadeOutStart = frameCount - fade
        func scale(_ position: Int64) -> Float {
            if position < fadeInEnd { return Float(position) / Float(fade) }
            if position > fadeOutStart { return Float(frameCount - position) / Float(fade) }
            return 1
        }
        var result: [Segment] = []
        for segment in segments {
            var cuts = [segment.start]
            for cut in [fadeInEnd, fadeOutStart] where cut > segment.start && cut < segment.end { cuts.append(cut) }
            cuts.append(segment.end)
            for (start, end) in zip(cuts, cuts.dropFirst()) {
                func level(_ at: Int64) -> Float { segment.level(at: at) * scale(at) }
                if start < fadeInEnd || end > fadeOutStart {
                    // Inside a fade: short pieces, so the product of the two curves is followed closely.
                    let piece: Int64 = max(1, fade / 64)
                    var at = start
                    while at < end {
                        let next = min(end, at + piece)
                        result.append(Segment(start: at, end: next, from: level(at), to: level(next)))
                        at = next
                    }
                } else {
                    result.append(Segment(start: start, end: end, from: level(start), to: level(end)))
                }
            }
        }
        return result
    }
}

/// Synthesises the ambience beds' noise: deterministic (a fixed seed per style), seamless when
/// looped, at an RMS of 1.
enum AmbienceSynth {
    static func loop(_ style: AmbienceStyle, frameCount: Int, rate: Int) -> [Float] {
        let overlap = rate / 2
        var generator = SplitMix(seed: style == .surf ? 0x5EED_5A4F : 0x5EED_4A14)
        // Made in place, one buffer for the whole loop: the bed is built before every render.
        var samples = filtered(style, frameCount: frameCount + overlap, rate: rate, generator: &generator)
        // The loop's last `overlap` frames blend into its first (equal power: the two are unrelated).
        for index in 0..<overlap {
            let progress = Double(index) / Double(overlap)
            let fadeIn = Float(sin(progress * Double.pi / 2))
            let fadeOut = Float(cos(progress * Double.pi / 2))
            samples[index] = samples[frameCount + index] * fadeOut + samples[index] * fadeIn
        }
        samples.removeLast(overlap)
        let power = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, samples.count))
        let scale = Float(1 / max(power.squareRoot(), 1e-12))
        for index in samples.indices { samples[index] *= scale }
        return samples
    }

    /// White noise through the style's filters: surf, a dark band around 80–500 Hz; rain, a
    /// brighter band around 600–6000 Hz.
    static func filtered(_ style: AmbienceStyle, frameCount: Int, rate: Int, generator: inout SplitMix) -> [Float] {
        let (highPass, lowPass): (Double, Double) = style == .surf ? (80, 500) : (600, 6_000)
        let highCoefficient = exp(-2 * Double.pi * highPass / Double(rate))
        let lowCoefficient = exp(-2 * Double.pi * lowPass / Double(rate))
        var low1 = 0.0, low2 = 0.0, high = 0.0, previous = 0.0
        var samples = [Float](repeating: 0, count: frameCount)
        for index in 0..<frameCount {
            let white = generator.nextUnit() * 2 - 1
            // Two one-pole low-passes (12 dB an octave), then a one-pole high-pass.
            low1 = low1 * lowCoefficient + white * (1 - lowCoefficient)
            low2 = low2 * lowCoefficient + low1 * (1 - lowCoefficient)
            high = highCoefficient * (high + low2 - previous)
            previous = low2
            samples[index] = Float(high)
        }
        return samples
    }
}

/// A small deterministic generator (SplitMix64), so that a bed is the same in every export.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A value in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
