import CAlsa
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why an ALSA device cannot be used (exit 69).
public struct DeviceError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, so the player knows whether trying again can help.
    public enum Kind: Sendable {
        /// The device refused the format, or failed in a way that opening it again will not mend.
        case failed
        /// The device or its sound server went away (`EIO`, `ENODEV`, `EBADFD`, a lost connection):
        /// opening it again may work once the server is back.
        case lost
        /// The device's server did not answer in time.
        case notAnswering
    }

    public var device: String
    public var message: String
    public var kind: Kind

    public init(device: String, message: String, kind: Kind = .failed) {
        self.device = device
        self.message = message
        self.kind = kind
    }

    public var description: String { "\(device): \(message)" }
}

/// 16-bit interleaved playback through ALSA in non-blocking mode, with about 15 ms periods in
/// a 45 ms buffer: the buffer bounds how soon a pause is heard, the period how often the writer
/// wakes (the pulse plugin runs dry with less than about 40 ms queued).
/// No call here waits without a bound: writes take what fits, ``wait(milliseconds:)`` has a
/// timeout, and opening gives up after ``openTimeout``.
///
/// Thread-safety: one thread (the playback thread) calls ``write(_:frameCount:)``,
/// ``wait(milliseconds:)`` and the state calls; ``xrunCount`` may be read from any thread.
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
    private var descriptors: [pollfd] = []

    /// The period and buffer asked for: a period is one write, the buffer is what is queued
    /// ahead of the ear (so it bounds how soon a pause is heard).
    public static let periodMicroseconds: UInt32 = 15_000
    public static let bufferMicroseconds: UInt32 = 45_000
    /// How long opening a device may take before its server counts as not answering.
    public static let openTimeout: Duration = .seconds(5)

    /// Opens and configures `device`, giving up after `timeout` (a sound server that accepts the
    /// connection but never answers would otherwise hold the open for 30 s or for ever).
    /// - Throws: ``DeviceError`` when the device is missing, busy, cannot take the format, or does
    ///   not answer within `timeout` (``DeviceError/Kind/notAnswering``).
    public init(device: String, sampleRate: Int, channelCount: Int, timeout: Duration = openTimeout) throws(DeviceError) {
        self.device = device
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        let opened = try Self.open(device: device, sampleRate: sampleRate, channelCount: channelCount, timeout: timeout)
        pcm = opened.handle
        periodFrames = opened.periodFrames
        bufferFrames = opened.bufferFrames
        descriptors = Self.pollDescriptors(opened.handle)
    }

    deinit {
        if let pcm { snd_pcm_close(pcm) }
    }

    // MARK: - Opening

    /// A handle opened and configured, with its sizes.
    private struct Opened: @unchecked Sendable {
        var handle: OpaquePointer
        var periodFrames: Int
        var bufferFrames: Int
    }

    /// The result of an open running on its own thread, and whether its caller stopped waiting.
    private final class PendingOpen: Sendable {
        let result = Mutex<Result<Opened, DeviceError>?>(nil)
        let abandoned = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
    }

    /// Opens on a thread of its own and waits for it at most `timeout`; an open that comes back
    /// after that is closed by its thread.
    private static func open(device: String, sampleRate: Int, channelCount: Int,
                             timeout: Duration) throws(DeviceError) -> Opened {
        psoas_alsa_silence_errors()
        let pending = PendingOpen()
        let thread = Thread {
            let result = Self.openNow(device: device, sampleRate: sampleRate, channelCount: channelCount)
            pending.result.withLock { $0 = result }
            pending.finished.signal()
        }
        thread.name = "psoas.open"
        thread.start()
        let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        if pending.finished.wait(timeout: .now() + .milliseconds(milliseconds)) == .timedOut {
            pending.abandoned.store(true, ordering: .sequentiallyConsistent)
            // The thread may have finished between the timeout and the flag: then close it here.
            if let late = pending.result.withLock({ value -> Result<Opened, DeviceError>? in
                defer { value = nil }
                return value
            }), case let .success(opened) = late {
                snd_pcm_close(opened.handle)
            } else {
                // Closed by the thread when it comes back (see below).
                let watcher = Thread {
                    pending.finished.wait()
                    if case let .success(opened)? = pending.result.withLock({ $0 }) { snd_pcm_close(opened.handle) }
                }
                watcher.start()
            }
            throw DeviceError(device: device, message: "the sound server did not answer within \(milliseconds / 1000) s",
                              kind: .notAnswering)
        }
        switch pending.result.withLock({ $0 }) {
        case let .success(opened)?: return opened
        case let .failure(error)?: throw error
        case nil: throw DeviceError(device: device, message: "opening failed")
        }
    }

    private static func openNow(device: String, sampleRate: Int, channelCount: Int) -> Result<Opened, DeviceError> {
        var handle: OpaquePointer?
        let status = snd_pcm_open(&handle, device, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK)
        guard status >= 0, let handle else {
            return .failure(DeviceError(device: device, message: text(status), kind: kind(of: status)))
        }
        do throws(DeviceError) {
            let sizes = try configure(handle, device: device, sampleRate: sampleRate, channelCount: channelCount)
            return .success(Opened(handle: handle, periodFrames: sizes.period, bufferFrames: sizes.buffer))
        } catch {
            snd_pcm_close(handle)
            return .failure(error)
        }
    }

    private static func configure(_ handle: OpaquePointer, device: String, sampleRate: Int,
                                  channelCount: Int) throws(DeviceError) -> (period: Int, buffer: Int) {
        var hardware: OpaquePointer?
        snd_pcm_hw_params_malloc(&hardware)
        defer { snd_pcm_hw_params_free(hardware) }
        func check(_ status: Int32, _ what: String) throws(DeviceError) {
            guard status >= 0 else {
                throw DeviceError(device: device, message: "\(what): \(Self.text(status))", kind: kind(of: status))
            }
        }
        try check(snd_pcm_hw_params_any(handle, hardware), "no configurations")
        try check(snd_pcm_hw_params_set_access(handle, hardware, SND_PCM_ACCESS_RW_INTERLEAVED), "interleaved access")
        try check(snd_pcm_hw_params_set_format(handle, hardware, SND_PCM_FORMAT_S16_LE), "16-bit format")
        try check(snd_pcm_hw_params_set_channels(handle, hardware, UInt32(channelCount)), "\(channelCount) channels")
        try check(snd_pcm_hw_params_set_rate_resample(handle, hardware, 1), "resampling")
        try check(snd_pcm_hw_params_set_rate(handle, hardware, UInt32(sampleRate), 0), "\(sampleRate) Hz")
        var period = periodMicroseconds
        var direction: Int32 = 0
        try check(snd_pcm_hw_params_set_period_time_near(handle, hardware, &period, &direction), "15 ms periods")
        var buffer = bufferMicroseconds
        try check(snd_pcm_hw_params_set_buffer_time_near(handle, hardware, &buffer, &direction), "a 45 ms buffer")
        try check(snd_pcm_hw_params(handle, hardware), "applying the configuration")
        var periodSize = snd_pcm_uframes_t(0)
        var bufferSize = snd_pcm_uframes_t(0)
        snd_pcm_hw_params_get_period_size(hardware, &periodSize, &direction)
        snd_pcm_hw_params_get_buffer_size(hardware, &bufferSize)
        let periodFrames = max(1, Int(periodSize))
        let bufferFrames = max(periodFrames, Int(bufferSize))

        var software: OpaquePointer?
        snd_pcm_sw_params_malloc(&software)
        defer { snd_pcm_sw_params_free(software) }
        try check(snd_pcm_sw_params_current(handle, software), "software parameters")
        try check(snd_pcm_sw_params_set_start_threshold(handle, software, snd_pcm_uframes_t(periodFrames)), "start threshold")
        try check(snd_pcm_sw_params_set_avail_min(handle, software, snd_pcm_uframes_t(periodFrames)), "wake-up size")
        try check(snd_pcm_sw_params(handle, software), "applying software parameters")
        try check(snd_pcm_prepare(handle), "prepare")
        return (periodFrames, bufferFrames)
    }

    private static func pollDescriptors(_ handle: OpaquePointer) -> [pollfd] {
        let count = max(0, Int(snd_pcm_poll_descriptors_count(handle)))
        var descriptors = [pollfd](repeating: pollfd(), count: count)
        let filled = descriptors.withUnsafeMutableBufferPointer {
            snd_pcm_poll_descriptors(handle, $0.baseAddress, UInt32(count))
        }
        return Array(descriptors.prefix(max(0, Int(filled))))
    }

    // MARK: - Playing

    /// Underruns and suspends recovered from so far.
    public var xrunCount: Int { xruns.load(ordering: .relaxed) }

    /// The frames the device can take now without waiting.
    /// - Throws: ``DeviceError`` when the device failed (``DeviceError/Kind/lost`` when it went away).
    public func available() throws(DeviceError) -> Int {
        guard let pcm else { return 0 }
        let status = snd_pcm_avail_update(pcm)
        if status >= 0 { return Int(status) }
        try recover(Int32(status), what: "avail")
        return 0
    }

    /// Writes what fits of `frameCount` interleaved frames without waiting. An underrun (EPIPE)
    /// or suspend (ESTRPIPE) is recovered and counted. Allocates nothing; safe on the playback thread.
    /// - Returns: the frames the device took (0 when it is full).
    /// - Throws: ``DeviceError`` when the device fails for good or goes away.
    public func write(_ samples: UnsafePointer<Int16>, frameCount: Int) throws(DeviceError) -> Int {
        guard let pcm else { return frameCount }
        while true {
            let written = snd_pcm_writei(pcm, samples, snd_pcm_uframes_t(frameCount))
            if written >= 0 { return Int(written) }
            let status = Int32(written)
            if status == -EINTR { continue }
            if status == -EAGAIN { return 0 }
            try recover(status, what: "write")
        }
    }

    /// Recovers from an underrun or a suspend, counting it; throws anything else.
    private func recover(_ status: Int32, what: String) throws(DeviceError) {
        guard let pcm else { return }
        if status == -EPIPE || status == -ESTRPIPE {
            xruns.add(1, ordering: .relaxed)
            if snd_pcm_recover(pcm, status, 1) >= 0 { return }
        }
        throw DeviceError(device: device, message: "\(what) failed: \(Self.text(status))", kind: Self.kind(of: status))
    }

    /// Sleeps until the device can take a period, or for at most `milliseconds`.
    /// - Returns: whether the device has room (`false`: the time ran out).
    /// - Throws: ``DeviceError`` when the device reports an error while waited on.
    public func wait(milliseconds: Int32) throws(DeviceError) -> Bool {
        guard let pcm else { return true }
        var ready: Int32 = 0
        repeat {
            ready = descriptors.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), milliseconds) }
        } while ready < 0 && errno == EINTR
        guard ready > 0 else { return false }
        var events: UInt16 = 0
        let status = descriptors.withUnsafeMutableBufferPointer {
            snd_pcm_poll_descriptors_revents(pcm, $0.baseAddress, UInt32($0.count), &events)
        }
        if status < 0 { try recover(status, what: "poll") }
        if events & UInt16(POLLERR) != 0 {
            let state = snd_pcm_state(pcm)
            if state == SND_PCM_STATE_XRUN { try recover(-EPIPE, what: "poll") }
            else if state == SND_PCM_STATE_SUSPENDED { try recover(-ESTRPIPE, what: "poll") }
            else if state == SND_PCM_STATE_DISCONNECTED { try recover(-ENODEV, what: "poll") }
        }
        return events & UInt16(POLLOUT) != 0
    }

    /// Frames written and not yet taken by the device: its buffer's fill.
    /// - Throws: ``DeviceError`` as ``available()``.
    public func queuedFrames() throws(DeviceError) -> Int {
        max(0, bufferFrames - (try available()))
    }

    /// Sleeps `milliseconds` without a call to the device.
    public static func sleep(milliseconds: Int32) {
        _ = poll(nil, 0, milliseconds)
    }

    /// The frames queued ahead of the ear: written and not yet heard (0 when the device cannot say).
    public var delayFrames: Int {
        guard let pcm else { return 0 }
        var delay = snd_pcm_sframes_t(0)
        guard snd_pcm_delay(pcm, &delay) >= 0 else { return 0 }
        return max(0, Int(delay))
    }

    /// Plays out what is queued, then stops. Call only once ``available()`` says the buffer has
    /// played out (or for a device that never fills it): for a stopped server it would block.
    public func drain() {
        guard let pcm else { return }
        snd_pcm_nonblock(pcm, 0)
        snd_pcm_drain(pcm)
    }

    /// Lets go of the device without a call that could wait on its server (a stalled or gone
    /// one): the handle is left to the process's end.
    public func abandon() {
        pcm = nil
    }

    /// Writes all of `frameCount` frames, waiting for room at most `timeout` at a time, then
    /// plays them out (for short sounds such as a count-in tone).
    public func play(_ samples: UnsafePointer<Int16>, frameCount: Int, timeout: Int32 = 1_000) throws(DeviceError) {
        var offset = 0
        while offset < frameCount {
            let written = try write(samples + offset * channelCount, frameCount: frameCount - offset)
            offset += written
            if written == 0, !(try wait(milliseconds: timeout)) {
                throw DeviceError(device: device, message: "the sound server stopped taking sound", kind: .notAnswering)
            }
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout))
        while try available() < bufferFrames, ContinuousClock.now < deadline {
            _ = try wait(milliseconds: 20)
        }
        drain()
    }

    // MARK: - Errors

    static func kind(of status: Int32) -> DeviceError.Kind {
        switch -status {
        case EIO, ENODEV, EBADFD, ENOTCONN, ECONNREFUSED, ECONNRESET, ENOENT, EPIPE, ESHUTDOWN: .lost
        default: .failed
        }
    }

    static func text(_ status: Int32) -> String {
        String(cString: snd_strerror(status))
    }
}
