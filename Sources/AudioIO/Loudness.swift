import CEbur128

/// EBU R 128 measurements with libebur128.
public struct Loudness: Sendable, Hashable {
    /// Integrated loudness in LUFS (`-.infinity` for silence).
    public var integrated: Double
    /// True peak as a linear amplitude (1 = full scale).
    public var truePeak: Double

    public var truePeakDecibels: Double { 20 * log10(max(truePeak, 1e-12)) }

    /// Measures mono `audio`.
    /// - Throws: ``AudioIOError`` when libebur128 fails.
    public static func measure(_ audio: MonoAudio) throws(AudioIOError) -> Loudness {
        let mode = Int32(EBUR128_MODE_I.rawValue | EBUR128_MODE_TRUE_PEAK.rawValue)
        var meter = ebur128_init(1, UInt(audio.sampleRate), mode)
        guard let state = meter else {
            throw AudioIOError(call: "ebur128_init", subject: "loudness", message: "cannot allocate the meter")
        }
        defer { ebur128_destroy(&meter) }
        let added = audio.samples.withUnsafeBufferPointer { ebur128_add_frames_float(state, $0.baseAddress, $0.count) }
        var integrated: Double = 0
        var peak: Double = 0
        guard added == 0, ebur128_loudness_global(state, &integrated) == 0, ebur128_true_peak(state, 0, &peak) == 0 else {
            throw AudioIOError(call: "ebur128_loudness_global", subject: "loudness", message: "measurement failed")
        }
        return Loudness(integrated: integrated, truePeak: peak)
    }
}

#if canImport(Glibc)
import Glibc
#endif
