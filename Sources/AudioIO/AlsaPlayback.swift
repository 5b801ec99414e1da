import CAlsa
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why an ALSA device cannot be used (exit 69).
public struct DeviceError: Error, Sendable, CustomStringConvertible {
    public var device: String
    public var message: String

    public init(device: String, message: String) {
        self.device = device
        self.message = message
    }

    public var description: String { "\(device): \(message)" }
}

/// 16-bit interleaved playback through ALSA with about 10 ms periods and a 40–50 ms buffer.
///
/// Thread-safety: one thread (the playback thread) calls ``write(_:frameCount:)`` and the
/// state calls; ``xrunCount`` may be read from any thread.
public final class AlsaPlayback: @unchecked Sendable {
    public let device: String
    public let sampleRate: Int
    public let channelCount: Int
    /// Frames per period, as the device granted them.
    public private(set) var periodFrames: Int = 0
    /// Frames in the device buffer, as granted.
    public private(set) var bufferFrames: Int = 0
    private var pcm: OpaquePointer?
    private let xruns = Atomic<Int>(0)
    /// When the last write returned (monotonic nanoseconds), to notice a writer that stalled.
    private var lastWriteEnd: UInt64 = 0

    /// Opens and configures `device`.
    /// - Throws: ``DeviceError`` when the device is missing, busy or cannot take the format.
    public init(device: String, sampleRate: Int, channelCount: Int) throws(DeviceError) {
        self.device = device
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        psoas_alsa_silence_errors()
        var handle: OpaquePointer?
        let status = snd_pcm_open(&handle, device, SND_PCM_STREAM_PLAYBACK, 0)
        guard status >= 0, let handle else {
            throw DeviceError(device: device, message: Self.text(status))
        }
        pcm = handle
        do {
            try configure(handle)
        } catch {
            snd_pcm_close(handle)
            pcm = nil
            throw error
        }
    }

    private func configure(_ handle: OpaquePointer) throws(DeviceError) {
        var hardware: OpaquePointer?
        snd_pcm_hw_params_malloc(&hardware)
        defer { snd_pcm_hw_params_free(hardware) }
        func check(_ status: Int32, _ what: String) throws(DeviceError) {
            guard status >= 0 else { throw DeviceError(device: device, message: "\(what): \(Self.text(status))") }
        }
        try check(snd_pcm_hw_params_any(handle, hardware), "no configurations")
        try check(snd_pcm_hw_params_set_access(handle, hardware, SND_PCM_ACCESS_RW_INTERLEAVED), "interleaved access")
        try check(snd_pcm_hw_params_set_format(handle, hardware, SND_PCM_FORMAT_S16_LE), "16-bit format")
        try check(snd_pcm_hw_params_set_channels(handle, hardware, UInt32(channelCount)), "\(channelCount) channels")
        try check(snd_pcm_hw_params_set_rate_resample(handle, hardware, 1), "resampling")
        try check(snd_pcm_hw_params_set_rate(handle, hardware, UInt32(sampleRate), 0), "\(sampleRate) Hz")
        var period = UInt32(10_000)
        var direction: Int32 = 0
        try check(snd_pcm_hw_params_set_period_time_near(handle, hardware, &period, &direction), "10 ms periods")
        var buffer = UInt32(45_000)
        try check(snd_pcm_hw_params_set_buffer_time_near(handle, hardware, &buffer, &direction), "a 45 ms buffer")
        try check(snd_pcm_hw_params(handle, hardware), "applying the configuration")
        var periodSize = snd_pcm_uframes_t(0)
        var bufferSize = snd_pcm_uframes_t(0)
        snd_pcm_hw_params_get_period_size(hardware, &periodSize, &direction)
        snd_pcm_hw_params_get_buffer_size(hardware, &bufferSize)
        periodFrames = max(1, Int(periodSize))
        bufferFrames = max(periodFrames, Int(bufferSize))

        var software: OpaquePointer?
        snd_pcm_sw_params_malloc(&software)
        defer { snd_pcm_sw_params_free(software) }
        try check(snd_pcm_sw_params_current(handle, software), "software parameters")
        try check(snd_pcm_sw_params_set_start_threshold(handle, software, snd_pcm_uframes_t(periodFrames)), "start threshold")
        try check(snd_pcm_sw_params_set_avail_min(handle, software, snd_pcm_uframes_t(periodFrames)), "wake-up size")
        try check(snd_pcm_sw_params(handle, software), "applying software parameters")
        try check(snd_pcm_prepare(handle), "prepare")
    }

    deinit {
        if let pcm { snd_pcm_close(pcm) }
    }

    /// Underruns and suspends recovered from so far.
    public var xrunCount: Int { xruns.load(ordering: .relaxed) }

    /// Writes `frameCount` interleaved frames, blocking until the device takes them. An
    /// underrun (EPIPE) or suspend (ESTRPIPE) is recovered and counted, and writing goes on.
    /// Allocates nothing; safe on the playback thread.
    /// - Throws: ``DeviceError`` when the device fails for good (unplugged).
    public func write(_ samples: UnsafePointer<Int16>, frameCount: Int) throws(DeviceError) {
        guard let pcm else { return }
        // Some plugins (PulseAudio's, and both of PipeWire's) hide an underrun; a writer that was
        // away longer than the whole buffer has certainly let the device run dry, so that counts
        // as one too — whether it was away between writes or stopped inside this one.
        let start = Self.monotonicNanoseconds()
        let rate = UInt64(max(1, sampleRate))
        let bufferNanoseconds = UInt64(bufferFrames) * 1_000_000_000 / rate
        var counted = lastWriteEnd != 0 && start - lastWriteEnd > bufferNanoseconds + 20_000_000
        if counted { xruns.add(1, ordering: .relaxed) }
        var countedAny = counted
        let previousEnd = lastWriteEnd
        defer {
            let end = Self.monotonicNanoseconds()
            let writtenNanoseconds = UInt64(frameCount) * 1_000_000_000 / rate
            if !countedAny, previousEnd != 0, end - previousEnd > bufferNanoseconds + writtenNanoseconds + 20_000_000 {
                xruns.add(1, ordering: .relaxed)
            }
            lastWriteEnd = end
        }
        var offset = 0
        while offset < frameCount {
            let written = snd_pcm_writei(pcm, samples + offset * channelCount, snd_pcm_uframes_t(frameCount - offset))
            if written >= 0 {
                offset += Int(written)
                continue
            }
            let status = Int32(written)
            if status == -EINTR || status == -EAGAIN { continue }
            if status == -EPIPE || status == -ESTRPIPE {
                if !counted { xruns.add(1, ordering: .relaxed) }
                counted = false
                countedAny = true
            }
            let recovered = snd_pcm_recover(pcm, status, 1)
            guard recovered >= 0 else {
                throw DeviceError(device: device, message: "write failed: \(Self.text(status))")
            }
        }
    }

    /// Plays out what is buffered, then stops.
    public func drain() {
        guard let pcm else { return }
        snd_pcm_drain(pcm)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func text(_ status: Int32) -> String {
        String(cString: snd_strerror(status))
    }
}
