import AudioIO
import Planning
import SessionKit

/// Builds a ``Renderer`` for a timeline: which clips it speaks (decoded with libsndfile,
/// resampled with libsamplerate when the pack's rate differs) and which tones it plays
/// (synthesised), each a clip of a ``ClipStore`` made when the render needs it.
public enum RenderPlan {
    /// Tones sit well under the voice (about −30 LUFS against the voice's −18).
    public static let toneGain: Float = 0.075
    /// Every voice clip starts and ends with a ramp this long.
    public static let voiceRampSeconds = 0.005
    /// With ``Decoding/background``, the clips that start this soon are decoded before the
    /// renderer is returned.
    public static let backgroundHeadStartSeconds = 2.0

    /// What can stop a render from being prepared (exit 65: the pack's data is bad).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var cue: String
        public var path: String
        public var message: String
        public var description: String { "clip for cue '\(cue)' (\(path)): \(message)" }
    }

    /// When a renderer's clips are decoded.
    public enum Decoding: Sendable {
        /// All of them before the renderer is returned.
        case upFront
        /// Each just before the render reaches it, on the rendering thread, through
        /// ``Renderer/prepare(frameCount:)``, and freed once the render has passed its last use:
        /// an export's memory stays the same for any pack and length.
        case ahead
        /// Those of the first ``backgroundHeadStartSeconds`` now, the others on a helper thread
        /// in the order the timeline uses them: a player starts at once and never waits.
        case background
    }

    /// - Parameters:
    ///   - ambience: the bed under the whole session.
    ///   - decoding: when the clips are decoded. Unless ``Decoding/upFront``, every clip file is
    ///     checked first (its shape, and that its last frame can be read), so a broken clip is
    ///     found before anything is rendered.
    ///   - cache: where decoded voice clips are kept between runs (read instead of decoded when
    ///     it holds them); `nil` decodes every clip.
    /// - Throws: ``Failure`` naming the cue and file of a clip that cannot be decoded.
    public static func renderer(for timeline: Timeline, pack: VoicePack, ambience: AmbienceStyle = .off,
                                decoding: Decoding = .upFront, cache: ClipCache? = nil) throws(Failure) -> Renderer {
        var clips: [ClipStore.Clip] = []
        var indices: [String: Int] = [:]
        var voices: [RenderSource] = []
        var tones: [RenderSource] = []
        let rate = timeline.sampleRate
        let scale: Float = 1 / 32_767
        /// The clip for `key`, added on its first use.
        func use(_ key: String, _ source: ClipStore.Clip.Source, _ event: Event) -> Int {
            if let index = indices[key] {
                clips[index].uses.append(event.start..<event.end)
                return index
            }
            indices[key] = clips.count
            clips.append(ClipStore.Clip(source: source, frameCount: Int(event.duration), uses: [event.start..<event.end]))
            return clips.count - 1
        }
        for event in timeline.events {
            switch event.kind {
            case let .voice(cue, _, _, _):
                let clip = use("voice:\(cue):\(event.duration)", .voice(cue: cue), event)
                let pan: Pan = switch timeline.steps[event.step].side {
                case .left: .left
                case .right: .right
                case nil: .centre
                }
                voices.append(RenderSource(start: event.start, end: event.end, clip: clip, gain: scale, pan: pan))
            case let .tone(name, level):
                let clip = use("tone:\(name.rawValue):\(event.duration)", .tone(name), event)
                tones.append(RenderSource(start: event.start, end: event.end, clip: clip,
                                          gain: scale * toneGain * ToneSynth.gain(name) * Float(level)))
            case .step, .breath, .hold, .wait, .tension:
                continue
            }
        }
        // Number the clips in the order of their first use.
        let firstStarts = clips.map(\.firstStart)
        let order = clips.indices.sorted { (firstStarts[$0], $0) < (firstStarts[$1], $1) }
        var renumbered = [Int](repeating: 0, count: clips.count)
        for (new, old) in order.enumerated() { renumbered[old] = new }
        for index in voices.indices { voices[index].clip = renumbered[voices[index].clip] }
        for index in tones.indices { tones[index].clip = renumbered[tones[index].clip] }
        let store = ClipStore(clips: order.map { clips[$0] }, sampleRate: rate) { clip, storage throws(Failure) in
            switch clip.source {
            case let .voice(cue):
                try voiceClip(cue, pack: pack, rate: rate, frameCount: clip.frameCount, into: storage, cache: cache)
            case let .tone(name):
                let samples = ToneSynth.waveform(name, frameCount: clip.frameCount, rate: rate)
                let filled = min(samples.count, clip.frameCount)
                samples.withUnsafeBufferPointer { source in
                    if let base = source.baseAddress { ClipStore.quantize(base, into: storage, count: filled) }
                }
                (storage + filled).initialize(repeating: 0, count: clip.frameCount - filled)
            }
        }
        switch decoding {
        case .upFront:
            try store.decodeAll()
        case .ahead:
            try check(store.clips, pack: pack, cache: cache, rate: rate)
        case .background:
            try check(store.clips, pack: pack, cache: cache, rate: rate)
            try store.decodeInBackground(after: Int64(backgroundHeadStartSeconds * Double(rate)))
        }
        return Renderer(timeline: timeline, clips: store, voices: voices, tones: tones,
                        bed: AmbienceBed.make(ambience, for: timeline))
    }

    /// Checks every voice clip's file without decoding it (see ``SoundFileReader/check(path:)``),
    /// but for those `cache` holds: those files were decoded whole before, as they are now.
    static func check(_ clips: [ClipStore.Clip], pack: VoicePack, cache: ClipCache?, rate: Int) throws(Failure) {
        var checked = Set<String>()
        for clip in clips {
            guard case let .voice(cue) = clip.source, checked.insert(cue).inserted else { continue }
            let path = try self.path(of: cue, in: pack)
            if let cache, cache.holds(path: path, sampleRate: rate, frameCount: clip.frameCount) { continue }
            do {
                try SoundFileReader.check(path: path)
            } catch {
                throw Failure(cue: cue, path: path, message: error.message)
            }
        }
    }

    /// The file of `cue`'s clip. - Throws: ``Failure`` when the pack has none.
    static func path(of cue: String, in pack: VoicePack) throws(Failure) -> String {
        guard let path = pack.clipPaths[cue] else {
            throw Failure(cue: cue, path: pack.directory, message: "the pack has no clip for it")
        }
        return path
    }

    /// The clip of `cue` at `rate` (mono, with 5 ms ramps), for sounds outside the timeline
    /// such as the safety stop.
    /// - Throws: ``Failure`` naming the cue and file.
    public static func standaloneClip(_ cue: String, pack: VoicePack, rate: Int) throws(Failure) -> [Float] {
        let path = try path(of: cue, in: pack)
        let frames: Int64
        do {
            frames = try SoundFileInfo.read(path: path).frameCount(at: rate)
        } catch {
            throw Failure(cue: cue, path: path, message: error.message)
        }
        return try clip(cue, pack: pack, rate: rate, frameCount: Int(frames))
    }

    /// Decodes the clip of `cue` at `rate`, exactly `frameCount` long, with 5 ms ramps.
    static func clip(_ cue: String, pack: VoicePack, rate: Int, frameCount: Int) throws(Failure) -> [Float] {
        let path = try path(of: cue, in: pack)
        var samples: [Float]
        do {
            samples = try Resampler.convert(SoundFileReader.readMono(path: path), to: rate).samples
        } catch {
            throw Failure(cue: cue, path: path, message: error.message)
        }
        if samples.count > frameCount { samples.removeLast(samples.count - frameCount) }
        if samples.count < frameCount { samples += [Float](repeating: 0, count: frameCount - samples.count) }
        Ramp.apply(&samples, frames: Int((voiceRampSeconds * Double(rate)).rounded(.up)))
        return samples
    }

    /// The samples of ``decodeClip(_:pack:rate:frameCount:into:)``, read from `cache` when it
    /// holds them, else decoded and stored there.
    /// - Throws: ``Failure`` naming the cue and file.
    static func voiceClip(_ cue: String, pack: VoicePack, rate: Int, frameCount: Int,
                          into storage: UnsafeMutablePointer<Int16>, cache: ClipCache?) throws(Failure) {
        guard let cache else {
            try decodeClip(cue, pack: pack, rate: rate, frameCount: frameCount, into: storage)
            return
        }
        let path = try path(of: cue, in: pack)
        try cache.load(path: path, sampleRate: rate, frameCount: frameCount, into: storage) { () throws(Failure) in
            try decodeClip(cue, pack: pack, rate: rate, frameCount: frameCount, into: storage)
        }
    }

    /// Decodes the clip of `cue` at `rate` into `storage` as 16-bit samples, exactly
    /// `frameCount` long, with 5 ms ramps: the samples of ``clip(_:pack:rate:frameCount:)``
    /// quantised as ``ClipStore`` stores them. A clip at `rate` is read a block at a time (no
    /// copy of it as floats); one to resample is read whole. What it gives is kept by
    /// ``ClipCache``: a change here that changes a clip's samples bumps its format version.
    /// - Throws: ``Failure`` naming the cue and file.
    static func decodeClip(_ cue: String, pack: VoicePack, rate: Int, frameCount: Int,
                           into storage: UnsafeMutablePointer<Int16>) throws(Failure) {
        let path = try path(of: cue, in: pack)
        let reader: MonoFileReader
        do {
            reader = try MonoFileReader(path: path)
        } catch {
            throw Failure(cue: cue, path: path, message: error.message)
        }
        guard reader.sampleRate == rate else {
            let samples = try clip(cue, pack: pack, rate: rate, frameCount: frameCount)
            samples.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { ClipStore.quantize(base, into: storage, count: frameCount) }
            }
            return
        }
        let rampLength = min(Int((voiceRampSeconds * Double(rate)).rounded(.up)), frameCount / 2)
        let blockFrames = 4096
        let block = UnsafeMutablePointer<Float>.allocate(capacity: blockFrames)
        defer { block.deallocate() }
        let fromFile = Int(min(reader.frameCount, Int64(frameCount)))
        var done = 0
        while done < frameCount {
            let count = min(blockFrames, frameCount - done)
            var filled = 0
            while done + filled < fromFile, filled < count {
                let read: Int
                do {
                    read = try reader.read(into: block + filled, count: min(count, fromFile - done) - filled)
                } catch {
                    throw Failure(cue: cue, path: path, message: error.message)
                }
                guard read > 0 else {
                    throw Failure(cue: cue, path: path, message: "read \(done + filled) of \(reader.frameCount) frames")
                }
                filled += read
            }
            (block + filled).update(repeating: 0, count: count - filled)
            // The ramps of Ramp.apply, each sample multiplied by the same factor.
            for index in done..<(done + count) where index < rampLength || index >= frameCount - rampLength {
                block[index - done] *= index < rampLength
                    ? Float(index) / Float(rampLength)
                    : Float(frameCount - index) / Float(rampLength + 1)
            }
            ClipStore.quantize(block, into: storage + done, count: count)
            done += count
        }
    }
}
