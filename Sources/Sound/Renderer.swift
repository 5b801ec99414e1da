// Over 300 lines on purpose: the block loop, the lanes' mixing and the duck share the
// renderer's private per-block buffers and cursors, which the real-time path must reach without
// indirection; the sources it mixes are in RenderSource.swift.
import AudioIO
import Planning

#if canImport(Glibc)
import Glibc
#endif

/// Mixes a timeline into blocks of float PCM: voice, plus tones ducked under the voice,
/// through a gain stage that never clips.
///
/// Every sample is a pure function of its frame position, so rendering in any block sizes
/// gives the same bits, and ``seek(to:)`` is exact.
///
/// Thread-safety: one thread renders. ``render(into:frameCount:)`` allocates nothing, takes
/// no lock and never prints: it may run on the audio thread.
public final class Renderer: @unchecked Sendable {
    /// The largest block ``render(into:frameCount:)`` takes in one call.
    public static let maximumBlock = 4096
    /// Tones under a voice are lowered by 12 dB.
    public static let duckGain: Float = 0.251_188_64
    /// The duck ramps down this long before a cue starts, in seconds.
    public static let duckAttackSeconds = 0.030
    /// After a cue ends the tones come back up over this time, evenly in decibels along a
    /// raised-cosine curve: a breath, not a step.
    public static let duckReleaseSeconds = 0.400

    public let sampleRate: Int
    public let channelCount: Int
    public let frameCount: Int64
    public private(set) var position: Int64 = 0
    /// Master gain (1 = as rendered). Set it between calls.
    public var gain: Float = 1
    /// Whether the gain stage's soft ceiling keeps every sample under full scale. A player or an
    /// export turns it off: the master ``Limiter`` after it takes loud peaks down cleanly
    /// instead of shaping them.
    public var softCeiling = true
    /// How far a side's cues sit towards their side in stereo: a constant-power pan of 30 %,
    /// scaled so the centre is as loud as in mono. Near channel ×1.21, far ×0.74 (4.3 dB apart).
    public static let panAmount = 0.3
    static let panNear: Float = Float(cos((1 - panAmount) * Double.pi / 4) / cos(Double.pi / 4))
    static let panFar: Float = Float(sin((1 - panAmount) * Double.pi / 4) / cos(Double.pi / 4))

    private let clips: ClipStore
    private let voiceLanes: [[RenderSource]]
    private let toneLanes: [[RenderSource]]
    private var voiceCursors: [Int]
    private var toneCursors: [Int]
    private var duckCursors: [Int]
    private let bed: AmbienceBed?
    private var bedCursor = 0
    private let duckAttack: Int64
    /// The duck's gain through its release, one value a frame, from ``duckGain`` to 1.
    private let duckRelease: [Float]
    private let voiceBus: UnsafeMutableBufferPointer<Float>
    private let toneBus: UnsafeMutableBufferPointer<Float>
    private let duck: UnsafeMutableBufferPointer<Float>
    /// Voices of a left and a right step, apart from the centre's (stereo places them).
    private let leftBus: UnsafeMutableBufferPointer<Float>
    private let rightBus: UnsafeMutableBufferPointer<Float>
    /// Whether the block just mixed has a side's voice in it.
    private var sided = false

    /// - Parameters:
    ///   - timeline: what to render.
    ///   - clips: its waveforms; see ``RenderPlan``.
    ///   - voices, tones: the sources, each with its clip and gain.
    ///   - bed: the ambience under everything, ducked like the tones.
    init(timeline: Timeline, clips: ClipStore, voices: [RenderSource], tones: [RenderSource], bed: AmbienceBed? = nil) {
        self.bed = bed
        sampleRate = timeline.sampleRate
        channelCount = timeline.channelCount
        frameCount = timeline.frameCount
        self.clips = clips
        voiceLanes = Self.lanes(voices)
        toneLanes = Self.lanes(tones)
        voiceCursors = Array(repeating: 0, count: voiceLanes.count)
        toneCursors = Array(repeating: 0, count: toneLanes.count)
        duckCursors = Array(repeating: 0, count: voiceLanes.count)
        duckAttack = Int64((Self.duckAttackSeconds * Double(timeline.sampleRate)).rounded())
        duckRelease = Self.releaseCurve(frames: Int((Self.duckReleaseSeconds * Double(timeline.sampleRate)).rounded()))
        voiceBus = .allocate(capacity: Self.maximumBlock)
        toneBus = .allocate(capacity: Self.maximumBlock)
        duck = .allocate(capacity: Self.maximumBlock)
        leftBus = .allocate(capacity: Self.maximumBlock)
        rightBus = .allocate(capacity: Self.maximumBlock)
    }

    deinit {
        voiceBus.deallocate()
        toneBus.deallocate()
        duck.deallocate()
        leftBus.deallocate()
        rightBus.deallocate()
    }

    /// Splits sources into lanes in which none overlaps the next, so one cursor per lane finds
    /// every active source.
    static func lanes(_ sources: [RenderSource]) -> [[RenderSource]] {
        var lanes: [[RenderSource]] = []
        for source in sources.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            if let index = lanes.firstIndex(where: { ($0.last?.end ?? .min) <= source.start }) {
                lanes[index].append(source)
            } else {
                lanes.append([source])
            }
        }
        return lanes
    }

    /// Decodes the clips that the next `frameCount` frames use and frees those the render has
    /// passed (see ``ClipStore``), so that memory holds only what sounds near the position.
    /// Call it before each ``render(into:frameCount:levels:)`` of a render faster than real
    /// time (an export, a loudness pass). It allocates: never on the audio thread.
    /// - Throws: ``RenderPlan/Failure`` naming the cue and file of a clip that cannot be decoded.
    public func prepare(frameCount: Int) throws(RenderPlan.Failure) {
        try clips.prepare(from: position, to: position + Int64(frameCount))
    }

    /// Lets a helper thread decode the clips ``prepare(frameCount:)`` needs, a few clips ahead
    /// of it (see ``ClipStore/decodeAhead(limit:)``), for a render that goes forwards from here
    /// without seeking back. Nothing changes in what is rendered; nothing happens when clips
    /// are already decoded.
    public func decodeAhead(clips limit: Int) {
        clips.decodeAhead(limit: limit)
    }

    /// Whether an ambience bed sounds under the session (and goes on through a hold).
    public var hasAmbience: Bool { bed != nil }

    /// How many clips are decoded now, and how many the timeline uses (for tests).
    package var decodedClipCount: Int { clips.decodedCount }
    package var clipCount: Int { clips.clips.count }
    /// Whether every clip is decoded and readable by the render path (for tests of play's
    /// background decoding).
    package var allClipsPublished: Bool { clips.isComplete }

    /// Moves the render position to `position` (clamped to the timeline).
    public func seek(to newPosition: Int64) {
        position = max(0, min(newPosition, frameCount))
        for lane in voiceLanes.indices {
            voiceCursors[lane] = Self.firstIndex(in: voiceLanes[lane], endingAfter: position)
            duckCursors[lane] = Self.firstIndex(in: voiceLanes[lane], endingAfter: position - Int64(duckRelease.count))
        }
        for lane in toneLanes.indices {
            toneCursors[lane] = Self.firstIndex(in: toneLanes[lane], endingAfter: position)
        }
        bedCursor = bed?.firstSegment(endingAfter: position) ?? 0
    }

    private static func firstIndex(in lane: [RenderSource], endingAfter position: Int64) -> Int {
        lane.partitionPoint { $0.end > position }
    }

    /// Renders the next `frameCount` frames (at most ``maximumBlock``) as interleaved floats.
    /// - Parameter levels: a gain for each frame, applied before the ceiling, so that no level
    ///   (a player's volume and fades) can push a sample to full scale; `nil` for 1.
    /// - Returns: the frames rendered; fewer than asked only at the end of the timeline.
    public func render(into output: UnsafeMutablePointer<Float>, frameCount requested: Int,
                       levels: UnsafePointer<Float>? = nil) -> Int {
        // Mono output is the voice bus itself: mixed in place, no copy.
        let mono = channelCount == 1
        let bus = mono ? UnsafeMutableBufferPointer(start: output, count: max(0, min(requested, Self.maximumBlock))) : voiceBus
        let count = mixNextBlock(requested, levels: levels, into: bus)
        guard count > 0 else { return 0 }
        if mono { return count }
        if sided, channelCount == 2 {
            // The centre in both channels, a side's voice nearer its side; then the ceiling.
            let voice = voiceBus.baseAddress!
            let left = leftBus.baseAddress!
            let right = rightBus.baseAddress!
            for index in 0..<count {
                output[2 * index] = ceiling(voice[index] + left[index])
                output[2 * index + 1] = ceiling(voice[index] + right[index])
            }
        } else {
            spread(voiceBus.baseAddress!, into: output, count: count)
        }
        return count
    }

    /// Renders `frameCount` frames (at most ``maximumBlock``) of what sounds while the session
    /// is held at ``position`` for the person (a wait): the ambience bed settling at its resting
    /// level, or silence without one. The position does not move.
    /// - Parameters:
    ///   - held: how many frames the hold has lasted before this block.
    ///   - levels: a gain for each frame, as for ``render(into:frameCount:levels:)``.
    public func renderHeld(into output: UnsafeMutablePointer<Float>, frameCount requested: Int, held: Int64,
                           levels: UnsafePointer<Float>? = nil) {
        let count = min(requested, Self.maximumBlock)
        let voice = voiceBus.baseAddress!
        voice.update(repeating: 0, count: count)
        if let bed {
            bed.addHeld(into: voice, count: count, at: position, held: held)
            // The duck under the cue the hold follows goes on releasing as it would have.
            let since = framesSinceVoice(at: position) + held
            let master = gain
            duckRelease.withUnsafeBufferPointer { curve in
                for index in 0..<count {
                    let after = since + Int64(index)
                    let duckValue = after < 0 ? Self.duckGain : after < Int64(curve.count) ? curve[Int(after)] : 1
                    voice[index] *= master * duckValue
                }
            }
            if let levels {
                for index in 0..<count { voice[index] = ceiling(voice[index] * levels[index]) }
            }
        }
        spread(voice, into: output, count: count)
    }

    /// How long before `position` the last voice ended (negative while one sounds; very large
    /// when none has yet).
    private func framesSinceVoice(at position: Int64) -> Int64 {
        var since = Int64.max / 2
        for lane in voiceLanes {
            let next = Self.firstIndex(in: lane, endingAfter: position)
            if next < lane.count, lane[next].start <= position { return -1 }
            if next > 0 { since = min(since, position - lane[next - 1].end) }
        }
        return since
    }

    /// Copies `count` mono samples into every channel of `output` (interleaved).
    private func spread<Sample>(_ mono: UnsafePointer<Sample>, into output: UnsafeMutablePointer<Sample>, count: Int) {
        guard channelCount > 1 else {
            output.update(from: mono, count: count)
            return
        }
        if channelCount == 2 {
            for index in 0..<count {
                output[2 * index] = mono[index]
                output[2 * index + 1] = mono[index]
            }
            return
        }
        for index in 0..<count {
            for channel in 0..<channelCount { output[index * channelCount + channel] = mono[index] }
        }
    }

    /// Mixes the next block into `bus` (mono, after the gain stage): the renderer's own
    /// voice bus, or a mono output. Returns the block's length.
    private func mixNextBlock(_ requested: Int, levels: UnsafePointer<Float>?,
                              into bus: UnsafeMutableBufferPointer<Float>) -> Int {
        let count = Int(min(Int64(min(requested, Self.maximumBlock)), frameCount - position))
        guard count > 0 else { return 0 }
        let blockStart = position
        let blockEnd = blockStart + Int64(count)
        // The buses are cleared when something is first added to them in the block (most blocks
        // have no voice, and the bed's first layer clears the tone bus as it goes); a bus left
        // alone counts as 0 below, computed as from a cleared one.
        var voiceCleared = false
        var toneCleared = false
        sided = false
        for lane in voiceLanes.indices {
            voiceCursors[lane] = mix(voiceLanes[lane], cursor: voiceCursors[lane], into: bus, cleared: &voiceCleared,
                                     from: blockStart, to: blockEnd, count: count)
        }
        for lane in toneLanes.indices {
            toneCursors[lane] = mix(toneLanes[lane], cursor: toneCursors[lane], into: toneBus, cleared: &toneCleared,
                                    from: blockStart, to: blockEnd, count: count)
        }
        if let bed {
            bedCursor = bed.add(into: toneBus.baseAddress!, from: blockStart, to: blockEnd, cursor: bedCursor,
                                overwriting: !toneCleared)
            toneCleared = true
        }
        if !toneCleared { UnsafeMutableBufferPointer(rebasing: toneBus[0..<count]).update(repeating: 0) }
        let ducking = fillDuck(from: blockStart, to: blockEnd, count: count)
        let master = gain
        let voice = bus.baseAddress!
        let tone = toneBus.baseAddress!
        if sided {
            let left = leftBus.baseAddress!
            let right = rightBus.baseAddress!
            if channelCount == 2 {
                // Each channel's share of the sides' voices, after the gain stage.
                for index in 0..<count {
                    let fromLeft = left[index] * master
                    let fromRight = right[index] * master
                    left[index] = fromLeft * Self.panNear + fromRight * Self.panFar
                    right[index] = fromLeft * Self.panFar + fromRight * Self.panNear
                }
                if let levels {
                    for index in 0..<count {
                        left[index] *= levels[index]
                        right[index] *= levels[index]
                    }
                }
            } else {
                // Mono: the sides' voices are voices like any other.
                if !voiceCleared {
                    voice.update(repeating: 0, count: count)
                    voiceCleared = true
                }
                for index in 0..<count { voice[index] += left[index] + right[index] }
                sided = false
            }
        }
        // Sum into the voice bus (vectorisable), then the ceiling only if a sample needs it.
        // Without a voice the sum starts from 0, as from a cleared bus.
        let zero: Float = 0
        switch (ducking, voiceCleared) {
        case (true, true):
            let duckValues = duck.baseAddress!
            for index in 0..<count { voice[index] = (voice[index] + tone[index] * duckValues[index]) * master }
        case (true, false):
            let duckValues = duck.baseAddress!
            for index in 0..<count { voice[index] = (zero + tone[index] * duckValues[index]) * master }
        case (false, true):
            for index in 0..<count { voice[index] = (voice[index] + tone[index]) * master }
        case (false, false):
            for index in 0..<count { voice[index] = (zero + tone[index]) * master }
        }
        if let levels {
            for index in 0..<count { voice[index] *= levels[index] }
        }
        // (With a side's voice in stereo the ceiling comes per channel, in render(into:).)
        if softCeiling, !sided {
            // The largest magnitude, compared as bit patterns (for non-negative floats their
            // order), an integer reduction that vectorises.
            var loudest: Int32 = 0
            for index in 0..<count {
                loudest = max(loudest, Int32(bitPattern: voice[index].bitPattern & 0x7FFF_FFFF))
            }
            if Float(bitPattern: UInt32(bitPattern: loudest)) > Self.ceilingKnee {
                for index in 0..<count { voice[index] = Self.limit(voice[index]) }
            }
        }
        position = blockEnd
        return count
    }

    /// Adds every source of `lane` active in `[from, to)` into `bus` (a side's voice into its
    /// side's bus), each bus cleared when first used in a block (`cleared` says whether `bus`
    /// is); a source whose clip is not decoded is silent. Returns the new cursor.
    @inline(__always)
    private func mix(_ lane: [RenderSource], cursor: Int, into bus: UnsafeMutableBufferPointer<Float>, cleared: inout Bool,
                     from blockStart: Int64, to blockEnd: Int64, count: Int) -> Int {
        var cursor = cursor
        while cursor < lane.count, lane[cursor].end <= blockStart { cursor += 1 }
        var index = cursor
        while index < lane.count, lane[index].start < blockEnd {
            let source = lane[index]
            let first = max(source.start, blockStart)
            let last = min(source.end, blockEnd)
            if first < last, let clip = clips.samples(source.clip) {
                var destination = bus
                if source.pan != .centre {
                    if !sided {
                        UnsafeMutableBufferPointer(rebasing: leftBus[0..<count]).update(repeating: 0)
                        UnsafeMutableBufferPointer(rebasing: rightBus[0..<count]).update(repeating: 0)
                        sided = true
                    }
                    destination = source.pan == .left ? leftBus : rightBus
                } else if !cleared {
                    UnsafeMutableBufferPointer(rebasing: bus[0..<count]).update(repeating: 0)
                    cleared = true
                }
                let target = destination.baseAddress! + Int(first - blockStart)
                let origin = clip + Int(first - source.start)
                let gain = source.gain
                for frame in 0..<Int(last - first) {
                    target[frame] += Float(origin[frame]) * gain
                }
            }
            index += 1
        }
        return cursor
    }

    /// The release: `frames` values rising from ``duckGain`` toward 1, even in decibels along a
    /// raised cosine (the last value just below 1; the frame after it is 1).
    static func releaseCurve(frames: Int) -> [Float] {
        let depth = -log(Double(duckGain))
        return (0..<frames).map { frame in
            let progress = Double(frame) / Double(frames)
            let shape = 0.5 - 0.5 * cos(Double.pi * progress)
            return Float(exp(-depth * (1 - shape)))
        }
    }

    /// Fills ``duck`` for `[from, to)`; returns `false` when no voice is near (all 1).
    private func fillDuck(from blockStart: Int64, to blockEnd: Int64, count: Int) -> Bool {
        var any = false
        let ramp = duckAttack
        let release = Int64(duckRelease.count)
        let depth = 1 - Self.duckGain
        let inverseRamp = 1 / Float(ramp)
        for lane in voiceLanes.indices {
            let voices = voiceLanes[lane]
            var cursor = duckCursors[lane]
            while cursor < voices.count, voices[cursor].end + release <= blockStart { cursor += 1 }
            duckCursors[lane] = cursor
            var index = cursor
            while index < voices.count, voices[index].start - ramp < blockEnd {
                let voice = voices[index]
                if !any {
                    UnsafeMutableBufferPointer(rebasing: duck[0..<count]).update(repeating: 1)
                    any = true
                }
                let slots = duck.baseAddress!
                let rampDown = voice.start - ramp
                // Ramp down before the cue, flat under it, ramp up after it; each value a
                // function of the frame alone, so any block size gives the same bits. The
                // lower of two overlapping ducks wins (`min`, branch-free: it vectorises).
                var first = max(rampDown, blockStart)
                var last = min(voice.start, blockEnd)
                if first < last {
                    let base = slots + Int(first - blockStart)
                    let offset = Int32(first - rampDown)
                    for frame in 0..<Int32(last - first) {
                        let value = 1 - depth * Float(offset + frame) * inverseRamp
                        base[Int(frame)] = min(base[Int(frame)], value)
                    }
                }
                first = max(voice.start, blockStart)
                last = min(voice.end, blockEnd)
                if first < last {
                    let base = slots + Int(first - blockStart)
                    for frame in 0..<Int(last - first) { base[frame] = min(base[frame], Self.duckGain) }
                }
                first = max(voice.end, blockStart)
                last = min(voice.end + release, blockEnd)
                if first < last {
                    let base = slots + Int(first - blockStart)
                    let offset = Int(first - voice.end)
                    duckRelease.withUnsafeBufferPointer { curve in
                        let values = curve.baseAddress! + offset
                        for frame in 0..<Int(last - first) { base[frame] = min(base[frame], values[frame]) }
                    }
                }
                index += 1
            }
        }
        return any
    }

    /// `sample` through the soft ceiling when it is on.
    @inline(__always)
    private func ceiling(_ sample: Float) -> Float { softCeiling ? Self.limit(sample) : sample }

    /// Where the gain stage's ceiling starts to bend.
    static let ceilingKnee: Float = 0.9

    /// The gain stage's ceiling: linear below 0.9, softly saturating above, never reaching 1.
    @inline(__always)
    static func limit(_ sample: Float) -> Float {
        let magnitude = abs(sample)
        guard magnitude > ceilingKnee else { return sample }
        let knee: Float = ceilingKnee
        let headroom: Float = 0.0999
        let excess = (magnitude - knee) / headroom
        let squashed = knee + headroom * (excess / (1 + excess))
        return sample < 0 ? -squashed : squashed
    }
}
