import AudioIO

#if canImport(Glibc)
import Glibc
import SystemIO
#endif

/// Prepares a recorded or synthesised clip for a voice pack: mono at the pack rate, silence
/// trimmed, loudness-normalised (libebur128) with a true-peak ceiling, 5 ms fades.
public enum ClipProcessor {
    /// The loudness every clip is normalised to.
    public static let targetLoudness = -18.0
    /// No clip's true peak goes above this, in dBTP.
    public static let truePeakCeiling = -1.0
    /// The rate clips are stored at.
    public static let packRate = 48_000
    /// Audio quieter than this, relative to the clip's peak, counts as silence at the edges.
    static let silenceBelowPeak = -45.0
    /// Silence kept before the first and after the last sound.
    static let margin = 0.010

    /// The processed clip and its measured loudness after processing.
    /// - Throws: ``AudioIOError`` from resampling or measuring, or when the clip is silent.
    public static func prepare(_ input: MonoAudio) throws(AudioIOError) -> (audio: MonoAudio, loudness: Loudness) {
        var audio = try Resampler.convert(input, to: packRate)
        audio.samples = trimmed(audio.samples, rate: packRate)
        guard audio.samples.count > packRate / 20 else {
            throw AudioIOError(call: "trim", subject: "clip", message: "the clip is silent or shorter than 50 ms")
        }
        let original = audio.samples
        var gainDecibels = 0.0
        var ceiling = truePeakCeiling - 0.3
        var result = audio
        var loudness = try Loudness.measure(audio)
        guard loudness.integrated.isFinite else {
            throw AudioIOError(call: "ebur128_loudness_global", subject: "clip", message: "the clip is too quiet to measure")
        }
        // Gain to the target, limit the peaks, measure; repeat while the limiter moved the loudness
        // or an inter-sample peak went over the ceiling.
        for _ in 0..<6 {
            gainDecibels += targetLoudness - loudness.integrated
            let gain = Float(pow(10, gainDecibels / 20))
            var samples = original.map { $0 * gain }
            PeakLimiter.apply(&samples, ceiling: Float(pow(10, ceiling / 20)), rate: packRate)
            Ramp.apply(&samples, frames: Int(0.005 * Double(packRate)))
            result.samples = samples
            loudness = try Loudness.measure(result)
            if loudness.truePeakDecibels > truePeakCeiling {
                ceiling -= loudness.truePeakDecibels - truePeakCeiling + 0.05
                gainDecibels -= targetLoudness - loudness.integrated
                continue
            }
            if abs(loudness.integrated - targetLoudness) < 0.2 { break }
        }
        return (result, loudness)
    }

    /// `samples` without the silence at either end (keeping a short margin).
    static func trimmed(_ samples: [Float], rate: Int) -> [Float] {
        let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
        guard peak > 0 else { return [] }
        let threshold = peak * Float(pow(10, silenceBelowPeak / 20))
        guard let first = samples.firstIndex(where: { abs($0) > threshold }),
              let last = samples.lastIndex(where: { abs($0) > threshold }) else { return [] }
        let keep = Int(margin * Double(rate))
        return Array(samples[max(0, first - keep)...min(samples.count - 1, last + keep)])
    }

    /// Writes mono `audio` to `path` (atomically) in `format`.
    /// - Throws: ``OutputError``.
    public static func write(_ audio: MonoAudio, to path: String, format: AudioFileFormat = .flac,
                             title: String) throws(OutputError) {
        let sink = try SoundFileSink(path: path, format: format, sampleRate: audio.sampleRate, channelCount: 1,
                                     metadata: AudioMetadata(title: title, artist: "psoas", comment: "voice clip"),
                                     cues: [])
        var shorts = [Int16](repeating: 0, count: audio.samples.count)
        for index in audio.samples.indices { shorts[index] = PCM.int16(audio.samples[index]) }
        do {
            try shorts.withUnsafeBufferPointer { buffer throws(OutputError) in try sink.write(buffer) }
            try sink.finish()
        } catch {
            sink.abort()
            throw error
        }
    }
}
