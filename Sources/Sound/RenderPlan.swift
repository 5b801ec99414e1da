import AudioIO
import SessionKit
import Planning

/// Builds a ``Renderer`` for a timeline: decodes every clip it speaks (resampled with
/// libsamplerate when the pack's rate differs), synthesises every tone, all before rendering.
public enum RenderPlan {
    /// Tones sit well under the voice (about −30 LUFS against the voice's −18).
    public static let toneGain: Float = 0.075
    /// Every voice clip starts and ends with a ramp this long.
    public static let voiceRampSeconds = 0.005

    /// What can stop a render from being prepared (exit 65: the pack's data is bad).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var cue: String
        public var path: String
        public var message: String
        public var description: String { "clip for cue '\(cue)' (\(path)): \(message)" }
    }

    /// - Parameter ambience: the bed under the whole session.
    /// - Throws: ``Failure`` naming the cue and file of a clip that cannot be decoded.
    public static func renderer(for timeline: Timeline, pack: VoicePack,
                                ambience: AmbienceStyle = .off) throws(Failure) -> Renderer {
        var bank = SampleBank()
        bank.reserve(storageNeeded(by: timeline))
        var voices: [RenderSource] = []
        var tones: [RenderSource] = []
        let rate = timeline.sampleRate
        let scale: Float = 1 / 32_767
        for event in timeline.events {
            switch event.kind {
            case let .voice(cue, _, _, _):
                let key = "voice:\(cue)"
                let slice: SampleBank.Slice
                if let existing = bank.slice(key), existing.count == Int(event.duration) {
                    slice = existing
                } else {
                    let samples = try clip(cue, pack: pack, rate: rate, frameCount: Int(event.duration))
                    slice = bank.add(key, samples: samples)
                }
                let pan: Pan = switch timeline.steps[event.step].side {
                case .left: .left
                case .right: .right
                case nil: .centre
                }
                voices.append(RenderSource(start: event.start, end: event.end, offset: slice.offset, gain: scale, pan: pan))
            case let .tone(name, level):
                let key = "tone:\(name.rawValue):\(event.duration)"
                let slice = bank.slice(key)
                    ?? bank.add(key, samples: ToneSynth.waveform(name, frameCount: Int(event.duration), rate: rate))
                tones.append(RenderSource(start: event.start, end: event.end, offset: slice.offset,
                                          gain: scale * toneGain * ToneSynth.gain(name) * Float(level)))
            case .step, .breath, .hold, .wait, .tension:
                continue
            }
        }
        return Renderer(timeline: timeline, bank: bank, voices: voices, tones: tones,
                        bed: AmbienceBed.make(ambience, for: timeline))
    }

    /// How many samples the bank holds for `timeline`: each clip and each distinct tone once.
    static func storageNeeded(by timeline: Timeline) -> Int {
        var keys = Set<String>()
        var total = 0
        for event in timeline.events {
            let key: String
            switch event.kind {
            case let .voice(cue, _, _, _): key = "voice:\(cue)"
            case let .tone(name, _): key = "tone:\(name.rawValue):\(event.duration)"
            case .step, .breath, .hold, .wait, .tension: continue
            }
            if keys.insert(key).inserted { total += Int(event.duration) }
        }
        return total
    }

    /// The clip of `cue` at `rate` (mono, with 5 ms ramps), for sounds outside the timeline
    /// such as the safety stop.
    /// - Throws: ``Failure`` naming the cue and file.
    public static func standaloneClip(_ cue: String, pack: VoicePack, rate: Int) throws(Failure) -> [Float] {
        guard let path = pack.clipPaths[cue] else {
            throw Failure(cue: cue, path: pack.directory, message: "the pack has no clip for it")
        }
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
        guard let path = pack.clipPaths[cue] else {
            throw Failure(cue: cue, path: pack.directory, message: "the pack has no clip for it")
        }
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
}
