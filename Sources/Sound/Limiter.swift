import AudioIO

#if canImport(Glibc)
import Glibc
#endif

/// A look-ahead true-peak limiter on the master: no output, between samples either, rises
/// above ``ceilingDecibels``.
///
/// Peaks are found 4× oversampled (a windowed-sinc interpolation between every two frames);
/// where a peak would pass the ceiling the gain ramps down over the look-ahead before it, so
/// that it is already down when the peak arrives, and comes back up over about 80 ms. Most of
/// a session is far below the ceiling: blocks where nothing is near it pass through untouched
/// (the output is the input, bit for bit), delayed by ``latency``.
///
/// Every output frame depends only on the input frames before it and the gain's state, and the
/// frames are processed one after another, so any block sizes give the same bits.
///
/// Thread-safety: one thread processes. ``process(_:into:frameCount:)`` and ``drain(into:frameCount:)``
/// allocate nothing, take no lock and never print.
public final class Limiter: @unchecked Sendable {
    /// The ceiling as measured (EBU R 128 true peak).
    public static let ceilingDecibels = -1.0
    /// The limiter aims a little under the ceiling: its interpolation and the meter's differ slightly.
    static let targetDecibels = -1.05
    static let lookaheadSeconds = 0.0015
    static let releaseSeconds = 0.080
    /// Frames of context on each side of a frame for the interpolation (12 taps).
    static let halfTaps = 6

    public let channelCount: Int
    /// Frames between input and output: the first `latency` frames put in come out as the
    /// output's first frames only after `latency` more (``drain(into:frameCount:)`` ends a stream).
    public let latency: Int
    let lookahead: Int
    let target: Float
    /// Below this magnitude no interpolated peak can reach the target.
    let quiet: Float
    let release: Float
    /// Three phases (¼, ½, ¾ between two frames), 12 taps each, for frames −5…+6 around a pair.
    let taps: [Float]
    /// The same taps by position, the three phases side by side (the fourth lane 0).
    private let phaseTaps: UnsafeMutablePointer<SIMD4<Float>>

    /// How far under 1 the gain is (kept as the shortfall, not the gain: `1 − (1 − x)` is not
    /// always `x` in floating point, and the state must not depend on where blocks end).
    private var shortfall: Float = 0
    /// The last `lookahead + 2 × halfTaps` input frames (interleaved), then the block's new ones.
    private let work: UnsafeMutablePointer<Float>
    /// Per frame: the gain it needs, and the gain's target.
    private let needs: UnsafeMutablePointer<Float>
    private let targets: UnsafeMutablePointer<Float>
    /// Limited frames on their way to a 16-bit output.
    private let scratch: UnsafeMutablePointer<Float>
    /// The frames of silence before the stream still to pass over (the look-ahead starts full of them).
    private var leading: Int
    private var inside = 0
    /// Frames kept from one block to the next: the look-ahead and the filter's reach on both sides.
    private let history: Int
    private let capacity: Int

    /// - Parameter maximumBlock: the most frames one call takes.
    public init(sampleRate: Int, channelCount: Int, maximumBlock: Int = Renderer.maximumBlock) {
        self.channelCount = channelCount
        lookahead = max(1, Int((Self.lookaheadSeconds * Double(sampleRate)).rounded()))
        latency = lookahead + Self.halfTaps
        leading = latency
        history = lookahead + 2 * Self.halfTaps
        target = Float(pow(10, Self.targetDecibels / 20))
        release = Float(1 - exp(-1 / (Self.releaseSeconds * Double(sampleRate))))
        var taps: [Float] = []
        var largestSum: Float = 1
        for phase in [0.25, 0.5, 0.75] {
            var sum: Float = 0
            for offset in -5...6 {
                let x = Double(offset) - phase
                let sinc = sin(Double.pi * x) / (Double.pi * x)
                let window = 0.5 + 0.5 * cos(Double.pi * x / 6.5)
                let tap = Float(sinc * window)
                taps.append(tap)
                sum += abs(tap)
            }
            largestSum = max(largestSum, sum)
        }
        self.taps = taps
        phaseTaps = .allocate(capacity: 12)
        for tap in 0..<12 { phaseTaps[tap] = SIMD4(taps[tap], taps[12 + tap], taps[24 + tap], 0) }
        quiet = target / largestSum
        capacity = maximumBlock + lookahead + 2 * Self.halfTaps
        work = .allocate(capacity: capacity * channelCount)
        work.initialize(repeating: 0, count: capacity * channelCount)
        needs = .allocate(capacity: capacity)
        targets = .allocate(capacity: capacity)
        scratch = .allocate(capacity: capacity * channelCount)
    }

    deinit {
        work.deallocate()
        needs.deallocate()
        targets.deallocate()
        scratch.deallocate()
        phaseTaps.deallocate()
    }

    /// Input frames not yet put out.
    public var held: Int { inside }

    /// Takes `frameCount` frames (at most `maximumBlock`) and writes the frames that come out:
    /// `frameCount` of them once ``latency`` frames have gone in, fewer before.
    /// - Returns: the frames written to `output`.
    public func process(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        process(input, to: .float(output), frameCount: frameCount)
    }

    /// As ``process(_:into:frameCount:)``, the output converted to 16 bits as
    /// ``PCM/convert(_:into:count:)`` does: where the limiter passes frames through untouched,
    /// straight from its buffer, without a copy as floats.
    public func process(_ input: UnsafePointer<Float>, intoPCM output: UnsafeMutablePointer<Int16>, frameCount: Int) -> Int {
        process(input, to: .pcm(output), frameCount: frameCount)
    }

    /// Ends a stream: writes up to `frameCount` of the frames still inside, as if silence
    /// followed; call until it returns 0. - Returns: the frames written.
    public func drain(into output: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        drain(to: .float(output), frameCount: frameCount)
    }

    /// As ``drain(into:frameCount:)``, the output converted to 16 bits.
    public func drain(intoPCM output: UnsafeMutablePointer<Int16>, frameCount: Int) -> Int {
        drain(to: .pcm(output), frameCount: frameCount)
    }

    /// Where limited frames go: floats, or 16-bit samples.
    private enum Destination {
        case float(UnsafeMutablePointer<Float>)
        case pcm(UnsafeMutablePointer<Int16>)
    }

    private func process(_ input: UnsafePointer<Float>, to output: Destination, frameCount: Int) -> Int {
        if case let .pcm(target) = output, passesThrough(input, intoPCM: target, frameCount: frameCount) {
            return frameCount
        }
        (work + history * channelCount).update(from: input, count: frameCount * channelCount)
        let count = advance(by: frameCount, into: output)
        inside += frameCount - count
        return count
    }

    private func drain(to output: Destination, frameCount: Int) -> Int {
        let wanted = min(frameCount, inside)
        guard wanted > 0 else { return 0 }
        // A stream shorter than the latency still has leading frames to pass over first.
        let appended = wanted + leading
        (work + history * channelCount).update(repeating: 0, count: appended * channelCount)
        let count = advance(by: appended, into: output)
        inside -= count
        return count
    }

    /// The common case of a 16-bit output, in one pass: a block with nothing near the target and
    /// the gain at rest is converted as it is checked, straight from `input` (and the frames the
    /// look-ahead held back), without a copy into ``work`` first. The same bits as
    /// ``limit(frames:skipping:into:)``'s pass-through, which it replaces.
    /// - Returns: whether the block passed through; if not, nothing changed but `output`, which
    ///   the full path then writes.
    private func passesThrough(_ input: UnsafePointer<Float>, intoPCM output: UnsafeMutablePointer<Int16>,
                               frameCount: Int) -> Bool {
        let channels = channelCount
        guard shortfall == 0, leading == 0, frameCount >= history else { return false }
        // What limit(frames:skipping:into:) looks at: the history and the new frames. Out go the
        // history's last `latency` frames, then the new ones but the last `latency`.
        guard !Self.reaches(quiet, work, count: history * channels) else { return false }
        PCM.convert(work + Self.halfTaps * channels, into: output, count: latency * channels)
        let fresh = (frameCount - latency) * channels
        let run = 256
        var done = 0
        while done < fresh {
            let count = min(run, fresh - done)
            guard !Self.reaches(quiet, input + done, count: count) else { return false }
            PCM.convert(input + done, into: output + latency * channels + done, count: count)
            done += count
        }
        guard !Self.reaches(quiet, input + fresh, count: latency * channels) else { return false }
        work.update(from: input + (frameCount - history) * channels, count: history * channels)
        return true
    }

    /// Writes `count` frames from `frames` to `output`.
    @inline(__always)
    private func write(_ frames: UnsafePointer<Float>, count: Int, to output: Destination) {
        switch output {
        case let .float(target): target.update(from: frames, count: count * channelCount)
        case let .pcm(target): PCM.convert(frames, into: target, count: count * channelCount)
        }
    }

    /// Limits the oldest frames that `appended` new frames push out, into `output`, and keeps
    /// the newest ``history`` frames; the stream's leading frames (the silence before it) are
    /// passed over. - Returns: the frames written.
    private func advance(by appended: Int, into output: Destination) -> Int {
        let skipped = min(appended, leading)
        leading -= skipped
        let count = appended - skipped
        if count > 0 { limit(frames: count, skipping: skipped, into: output) }
        work.update(from: work + appended * channelCount, count: history * channelCount)
        return count
    }

    /// The largest magnitude over the channels of frame `index`.
    @inline(__always)
    private func magnitude(_ frames: UnsafeMutablePointer<Float>, at index: Int) -> Float {
        var largest: Float = 0
        for channel in 0..<channelCount { largest = max(largest, abs(frames[index * channelCount + channel])) }
        return largest
    }

    /// Whether any of `count` samples has a magnitude of `level` or more (or is not a number).
    ///
    /// Compared as bit patterns, which order like the magnitudes (a NaN's lies above infinity's),
    /// eight at a time: `level − 1 − magnitude` is negative exactly where a magnitude reaches
    /// `level`, and its sign bits are gathered with an OR. Masks, a subtraction, a shift and an
    /// OR work with any instruction set (a maximum of 32-bit integers needs SSE4.1).
    @inline(__always)
    static func reaches(_ level: Float, _ samples: UnsafePointer<Float>, count: Int) -> Bool {
        let below = Int32(bitPattern: level.bitPattern) &- 1
        let raw = UnsafeRawPointer(samples)
        var signs = SIMD8<Int32>()
        var index = 0
        while index + 8 <= count {
            let patterns = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Int32>.self)
            signs |= SIMD8(repeating: below) &- (patterns & 0x7FFF_FFFF)
            index += 8
        }
        var sign = signs.min()
        while index < count {
            sign |= below &- Int32(bitPattern: samples[index].bitPattern & 0x7FFF_FFFF)
            index += 1
        }
        return sign < 0
    }

    /// Limits the `count` frames that follow the first `halfTaps + skipping` of ``work`` into `output`.
    ///
    /// The frame written first is `work[halfTaps + skipping]`: its `halfTaps` frames before are
    /// history, and the `lookahead + halfTaps` after it are what the gain looks ahead to.
    private func limit(frames count: Int, skipping: Int, into destination: Destination) {
        let channels = channelCount
        let first = Self.halfTaps + skipping
        let span = count + lookahead + 2 * Self.halfTaps
        let frames = work + skipping * channels
        let needs = self.needs
        let quiet = self.quiet
        // Nothing near the target and the gain at rest: the block passes through.
        if !Self.reaches(quiet, frames, count: span * channels), shortfall == 0 {
            write(work + first * channels, count: count, to: destination)
            return
        }
        // The gain each frame needs, from its peak and the three points after it. Only frames
        // within the filter's reach of a loud one can need less than 1, and loud frames are
        // looked for a run of frames at a time (a vectorised maximum), so quiet runs cost little.
        let judged = count + lookahead
        needs.update(repeating: 1, count: judged)
        var cuts = false
        var unjudged = 0
        do {
            var runStart = 0
            while runStart < span {
                let runEnd = min(span, runStart + 64)
                if Self.reaches(quiet, frames + runStart * channels, count: (runEnd - runStart) * channels) {
                    for loud in runStart..<runEnd where magnitude(frames, at: loud) >= quiet {
                        // Frames whose interpolation reads `loud`: centre − 5 ≤ loud ≤ centre + 6.
                        let lower = max(unjudged, loud - 6 - Self.halfTaps)
                        let upper = min(judged - 1, loud + 5 - Self.halfTaps)
                        guard lower <= upper else { continue }
                        for frame in lower...upper {
                            let center = Self.halfTaps + frame
                            var peak = magnitude(frames, at: center)
                            for channel in 0..<channels {
                                // The three phases side by side, each lane summing its taps in
                                // order, as one phase alone would: the same bits, a third of the work.
                                var sums = SIMD4<Float>()
                                for tap in 0..<12 {
                                    sums += phaseTaps[tap] * SIMD4(repeating: frames[(center - 5 + tap) * channels + channel])
                                }
                                peak = max(peak, abs(sums[0]), abs(sums[1]), abs(sums[2]))
                            }
                            if peak > target {
                                needs[frame] = target / peak
                                cuts = true
                            }
                        }
                        unjudged = upper + 1
                    }
                }
                runStart = runEnd
            }
        }
        if !cuts, shortfall == 0 {
            write(work + first * channels, count: count, to: destination)
            return
        }
        // Each frame's gain target: every later need within the look-ahead, ramped in.
        for frame in 0..<count { targets[frame] = 1 }
        let steps = Float(lookahead + 1)
        for frame in 0..<judged where needs[frame] < 1 {
            let cut = 1 - needs[frame]
            for distance in 0...lookahead {
                let at = frame - distance
                guard at >= 0 else { break }
                guard at < count else { continue }
                let value = 1 - cut * (steps - Float(distance)) / steps
                if value < targets[at] { targets[at] = value }
            }
        }
        // The gain comes back up exponentially (its shortfall shrinks by a constant factor a
        // frame) and is back at exactly 1 once the shortfall is under 0.001 dB.
        // Floats go straight to a float output, else through `scratch` to be converted.
        let output: UnsafeMutablePointer<Float> = switch destination {
        case let .float(target): target
        case .pcm: scratch
        }
        let keep = 1 - release
        var shortfall = self.shortfall
        for frame in 0..<count {
            shortfall *= keep
            if shortfall < 1e-4 { shortfall = 0 }
            let cut = 1 - targets[frame]
            if cut > shortfall { shortfall = cut }
            let level = 1 - shortfall
            let source = (first + frame) * channels
            for channel in 0..<channels { output[frame * channels + channel] = work[source + channel] * level }
        }
        self.shortfall = shortfall
        if case let .pcm(target) = destination { PCM.convert(scratch, into: target, count: count * channels) }
    }
}

// MARK: - Taking a stream back

extension Limiter {
    /// What the limiter carries from one block to the next, but for its last input frames
    /// (kept apart, in a buffer of ``memoryCount`` samples): a player that takes back audio it
    /// has queued puts the limiter back where it was, so that the frames rendered again are the
    /// same bits.
    public struct Memory: Sendable {
        fileprivate var shortfall: Float = 0
        fileprivate var leading = 0
        fileprivate var inside = 0

        public init() {}
    }

    /// The samples ``save(into:)`` keeps.
    public var memoryCount: Int { history * channelCount }

    /// The state now, its last input frames copied to `frames` (``memoryCount`` samples).
    /// Allocates nothing.
    public func save(into frames: UnsafeMutablePointer<Float>) -> Memory {
        frames.update(from: work, count: history * channelCount)
        var memory = Memory()
        memory.shortfall = shortfall
        memory.leading = leading
        memory.inside = inside
        return memory
    }

    /// Back to a state ``save(into:)`` took. Allocates nothing.
    public func restore(_ memory: Memory, from frames: UnsafePointer<Float>) {
        work.update(from: frames, count: history * channelCount)
        shortfall = memory.shortfall
        leading = memory.leading
        inside = memory.inside
    }
}
