import CAlsa
#if canImport(Glibc)
import Glibc
#endif

/// 16-bit mono capture through ALSA with about 10 ms periods.
///
/// Thread-safety: one thread reads.
public final class AlsaCapture {
    public let device: String
    public let sampleRate: Int
    private var pcm: OpaquePointer?
    public private(set) var overruns = 0

    /// Opens `device` for capture.
    /// - Throws: ``DeviceError`` when it is missing, busy or cannot record 16-bit mono at `sampleRate`.
    public init(device: String, sampleRate: Int) throws(DeviceError) {
        self.device = device
        self.sampleRate = sampleRate
        psoas_alsa_silence_errors()
        var handle: OpaquePointer?
        let status = snd_pcm_open(&handle, device, SND_PCM_STREAM_CAPTURE, 0)
        guard status >= 0, let handle else { throw DeviceError(device: device, message: AlsaPlayback.text(status)) }
        // snd_pcm_set_params: S16_LE, interleaved, mono, resampling allowed, up to 500 ms buffered
        // so a busy machine does not overrun.
        let configured = snd_pcm_set_params(handle, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1,
                                            UInt32(sampleRate), 1, 500_000)
        guard configured >= 0 else {
            snd_pcm_close(handle)
            throw DeviceError(device: device, message: "16-bit mono at \(sampleRate) Hz: \(AlsaPlayback.text(configured))")
        }
        pcm = handle
    }

    deinit {
        if let pcm { snd_pcm_close(pcm) }
    }

    /// Reads exactly `frameCount` frames, blocking; an overrun is recovered and counted.
    /// - Throws: ``DeviceError`` when the device fails for good.
    public func read(into samples: UnsafeMutablePointer<Int16>, frameCount: Int) throws(DeviceError) {
        guard let pcm else { return }
        var offset = 0
        while offset < frameCount {
            let count = snd_pcm_readi(pcm, samples + offset, snd_pcm_uframes_t(frameCount - offset))
            if count >= 0 {
                offset += Int(count)
                continue
            }
            let status = Int32(count)
            if status == -EINTR || status == -EAGAIN { continue }
            if status == -EPIPE || status == -ESTRPIPE { overruns += 1 }
            guard snd_pcm_recover(pcm, status, 1) >= 0 else {
                throw DeviceError(device: device, message: "read failed: \(AlsaPlayback.text(status))")
            }
        }
    }
}
