import CEbur128

/// EBU R 128 measurements with libebur128.
public struct Loudness: Sendable, Hashable {
    /// Integrated loudness in LUFS (`-.infinity` for silence).
    public var integrated: Double
    /// True peak as a linear amplitude (1 = full scale).
    public var truePeak: Double

    public var truePeakDecibels: Double { 20 * log10(max(truePeak, 1e-12)) }

    public init(integrated: Double, truePeak: Double) {
        self.integrated = integrated
        self.truePeak = truePeak
    }

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

/// An EBU R 128 meter fed block by block (libebur128): integrated loudness and true peak of
/// a stream of any length, in constant memory.
public final class LoudnessMeter {
    private var state: UnsafeMutablePointer<ebur128_state>?
    public let channelCount: Int

    /// - Throws: ``AudioIOError`` when libebur128 cannot allocate the meter.
    public init(channelCount: Int, sampleRate: Int) throws(AudioIOError) {
        self.channelCount = channelCount
        let mode = Int32(EBUR128_MODE_I.rawValue | EBUR128_MODE_TRUE_PEAK.rawValue)
        guard let meter = ebur128_init(UInt32(channelCount), UInt(sampleRate), mode) else {
            throw AudioIOError(call: "ebur128_init", subject: "loudness", message: "cannot allocate the meter")
        }
        state = meter
    }

    deinit { ebur128_destroy(&state) }

    /// Adds `frameCount` interleaved 16-bit frames.
    public func add(_ samples: UnsafePointer<Int16>, frameCount: Int) {
        guard let state, frameCount > 0 else { return }
        ebur128_add_frames_short(state, samples, frameCount)
    }

    /// What was added so far. - Throws: ``AudioIOError`` when libebur128 fails.
    public func result() throws(AudioIOError) -> Loudness {
        var integrated: Double = 0
        var peak: Double = 0
        guard let state, ebur128_loudness_global(state, &integrated) == 0 else {
            throw AudioIOError(call: "ebur128_loudness_global", subject: "loudness", message: "measurement failed")
        }
        for channel in 0..<channelCount {
            var channelPeak: Double = 0
            guard ebur128_true_peak(state, UInt32(channel), &channelPeak) == 0 else {
                throw AudioIOError(call: "ebur128_true_peak", subject: "loudness", message: "measurement failed")
            }
            peak = max(peak, channelPeak)
        }
        return Loudness(integrated: integrated, truePeak: peak)
    }
}
