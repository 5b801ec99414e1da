import CAlsa
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why an ALSA device cannot be used (exit 69).
public struct DeviceError: Error, Sendable, CustomStringConvertible {
    public var device: String
    public var message: String
    /// The device or its sound server went away (`EIO`, `ENODEV`, `EBADFD`, `ENOTCONN`): it may
    /// come back, so reopening it is worth trying.
    public var isLost: Bool

    public init(device: String, message: String, isLost: Bool = false) {
        self.device = device
        self.message = message
        self.isLost = isLost
    }

    /// A write or state error `status` (a negative errno) of `device`.
    static func failed(_ device: String, _ status: Int32) -> DeviceError {
        let lost = [EIO, ENODEV, EBADFD, ENOTCONN, ESHUTDOWN, ECONNRESET].contains(-status)
        return DeviceError(device: device, message: "write failed: \(AlsaPlayback.text(status))", isLost: lost)
    }

    public var description: String { "\(device): \(message)" }
}

/// 16-bit interleaved playback through ALSA.
///
/// Most devices get a long buffer (``longBufferSeconds``), filled in large chunks by a writer
/// that sleeps in between (for as long as the queued frames last, not on the device's poll
/// descriptors: PipeWire's plugin keeps its descriptor readable while it has no room): few
/// wake-ups, and a busy machine never lets it run dry. A command that must sound at once takes
/// back what is queued and not yet heard (``rewind(_:)``). Which ``Queue`` a device gets is
/// found when it opens: a plugin that cannot take audio back gets the short queue instead.
///
/// Thread-safety: one thread (the playback thread) calls ``write(_:frameCount:)`` and the
/// state calls; ``xrunCount`` may be read from any thread.
public final class AlsaPlayback: @unchecked Sendable {
    /// How a device holds what is written and not yet heard.
    public enum Queue: Sendable, Equatable {
        /// A long buffer whose unheard part can be taken back: `snd_pcm_rewind` was seen to
        /// shorten the device's delay when it opened (hardware, dmix, PipeWire's plugin).
        case rewindable
        /// A device that takes frames as fast as they come (ALSA's `file` and `null` PCMs):
        /// nothing waits in it, so nothing needs taking back.
        case unpaced
        /// A plugin whose rewind takes nothing back (PulseAudio's: the frames are in the server
        /// already, and a drop cuts the sound off mid-wave): a 45 ms buffer written in 10 ms
        /// periods, the shortest that plays without gaps, is the only way to keep a pause quick.
        case short
    }

    /// The long buffer, and the room a sleeping writer waits for.
    public static let longBufferSeconds = 0.5
    public static let longWakeSeconds = 0.1

    public let device: String
    public let sampleRate: Int
    public let channelCount: Int
    public private(set) var queue: Queue = .short
    /// Frames per period, as the device granted them.
    public private(set) var periodFrames: Int = 0
    /// Frames in the device buffer, as granted.
    public private(set) var bufferFrames: Int = 0
    private var pcm: OpaquePointer?
    private let xruns = Atomic<Int>(0)
    /// When the last write returned (monotonic nanoseconds), to notice a writer that stalled.
    private var lastWriteEnd: UInt64 = 0

    /// Opens and configures `device`, and finds out which ``Queue`` it gets.
    /// - Throws: ``DeviceError`` when the device is missing, busy or cannot take the format.
    public init(device: String, sampleRate: Int, channelCount: Int) throws(DeviceError) {
        self.device = device
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        psoas_alsa_silence_errors()
        pcm = try connect()
    }

    /// Opens, configures and probes the device (``Queue``).
    private func connect() throws(DeviceError) -> OpaquePointer {
        var handle = try open()
        let type = snd_pcm_type(handle)
        do {
            try configure(handle, long: true)
            if type == SND_PCM_TYPE_FILE || type == SND_PCM_TYPE_NULL {
                queue = .unpaced
            } else if try takesBack(handle) {
                queue = .rewindable
                // The probe's silence goes: the stream starts again with the first real frames,
                // however long the play takes to get there (an underrun otherwise).
                snd_pcm_drop(handle)
                snd_pcm_prepare(handle)
            } else {
                // Reopened with the short queue: the probe's silence goes with the old stream.
                snd_pcm_drop(handle)
                snd_pcm_close(handle)
                handle = try open()
                try configure(handle, long: false)
                queue = .short
            }
            if queue != .short { try setNonBlocking(handle) }
        } catch {
            snd_pcm_close(handle)
            throw error
        }
        return handle
    }

    /// Closes the device and opens it again (after it was lost): the same name, format and
    /// kind of queue if the device still allows it. Nothing is queued afterwards.
    /// - Throws: ``DeviceError`` when it cannot be opened (yet).
    public func reopen() throws(DeviceError) {
        if let pcm {
            snd_pcm_drop(pcm)
            snd_pcm_close(pcm)
            self.pcm = nil
        }
        lastWriteEnd = 0
        pcm = try connect()
    }

    /// Whether the device is open (not between a loss and a reopen).
    public var isOpen: Bool { pcm != nil }

    /// How long opening may take: a sound server that does not answer holds `snd_pcm_open`
    /// (PulseAudio's plugin for 30 s, PipeWire's for ever).
    public static let openTimeoutSeconds = 5

    /// Opens the device on a helper thread, waiting at most ``openTimeoutSeconds``: a helper
    /// still stuck in a server that never answers is left behind (it holds nothing of ours).
    private func open() throws(DeviceError) -> OpaquePointer {
        let name = device
        // The handle crosses threads as its address: an OpaquePointer is not Sendable.
        let result = Mutex<(address: UInt, status: Int32)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let opener = Thread {
            var handle: OpaquePointer?
            let status = snd_pcm_open(&handle, name, SND_PCM_STREAM_PLAYBACK, 0)
            let address = handle.map { UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer($0))) } ?? 0
            let late = result.withLock { value -> Bool in
                if value != nil { return true }
                value = (address, status)
                return false
            }
            // Opened after the caller gave up: nobody will use it.
            if late, status >= 0, let handle { snd_pcm_close(handle) }
            done.signal()
        }
        opener.start()
        _ = done.wait(timeout: .now() + .seconds(Self.openTimeoutSeconds))
        let outcome = result.withLock { value -> (address: UInt, status: Int32)? in
            if let value { return value }
            value = (0, -ETIMEDOUT)
            return nil
        }
        guard let outcome else {
            throw DeviceError(device: device, message: "the sound server did not answer within \(Self.openTimeoutSeconds) s")
        }
        guard outcome.status >= 0, let raw = UnsafeMutableRawPointer(bitPattern: outcome.address) else {
            throw DeviceError(device: device, message: Self.text(outcome.status))
        }
        return OpaquePointer(raw)
    }

    private func setNonBlocking(_ handle: OpaquePointer) throws(DeviceError) {
        let status = snd_pcm_nonblock(handle, 1)
        guard status >= 0 else { throw DeviceError(device: device, message: "non-blocking mode: \(Self.text(status))") }
    }

    /// Whether `handle` really takes back what it was given: 20 ms of silence written, 10 ms
    /// of it taken back, and the delay must shrink by as much. (PulseAudio's plugin reports the
    /// rewind done and plays every frame anyway.)
    private func takesBack(_ handle: OpaquePointer) throws(DeviceError) -> Bool {
        let probe = sampleRate / 50
        let silence = [Int16](repeating: 0, count: probe * channelCount)
        let written = silence.withUnsafeBufferPointer { snd_pcm_writei(handle, $0.baseAddress, snd_pcm_uframes_t(probe)) }
        guard written > 0 else { return false }
        var before = snd_pcm_sframes_t(0)
        guard snd_pcm_delay(handle, &before) >= 0, before > 0 else { return false }
        let asked = Int(written) / 2
        let taken = Int(snd_pcm_rewind(handle, snd_pcm_uframes_t(asked)))
        var after = snd_pcm_sframes_t(0)
        let measured = snd_pcm_delay(handle, &after) >= 0
        if taken > 0, measured, Int(before - after) >= taken * 4 / 5 { return true }
        // Nothing came back: where the device says it is again.
        if taken > 0 { snd_pcm_forward(handle, snd_pcm_uframes_t(taken)) }
        return false
    }

    private func configure(_ handle: OpaquePointer, long: Bool) throws(DeviceError) {
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
        let periodMicroseconds = long ? UInt32(Self.longWakeSeconds * 1_000_000) : 10_000
        let bufferMicroseconds = long ? UInt32(Self.longBufferSeconds * 1_000_000) : 45_000
        var period = periodMicroseconds
        var direction: Int32 = 0
        try check(snd_pcm_hw_params_set_period_time_near(handle, hardware, &period, &direction),
                  "\(periodMicroseconds / 1000) ms periods")
        var buffer = bufferMicroseconds
        try check(snd_pcm_hw_params_set_buffer_time_near(handle, hardware, &buffer, &direction),
                  "a \(bufferMicroseconds / 1000) ms buffer")
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
        // The long buffer starts sounding after 10 ms, not once it is full.
        let start = long ? min(periodFrames, sampleRate / 100) : periodFrames
        try check(snd_pcm_sw_params_set_start_threshold(handle, software, snd_pcm_uframes_t(start)), "start threshold")
        try check(snd_pcm_sw_params_set_avail_min(handle, software, snd_pcm_uframes_t(periodFrames)), "wake-up size")
        try check(snd_pcm_sw_params(handle, software), "applying software parameters")
        try check(snd_pcm_prepare(handle), "prepare")
    }

    deinit {
        if let pcm { snd_pcm_close(pcm) }
    }

    /// Underruns and suspends recovered from so far.
    public var xrunCount: Int { xruns.load(ordering: .relaxed) }

    /// Writes `frameCount` interleaved frames, blocking until the device takes them (the short
    /// queue; the long buffer is written with ``writeAvailable(_:frameCount:)``). An
    /// underrun (EPIPE) or suspend (ESTRPIPE) is recovered and counted, and writing goes on.
    /// Allocates nothing; safe on the playback thread.
    /// - Throws: ``DeviceError`` when the device fails for good (unplugged).
    public func write(_ samples: UnsafePointer<Int16>, frameCount: Int) throws(DeviceError) {
        guard let pcm else { return }
        // Some plugins (PulseAudio's, and both of PipeWire's) hide an underrun; a writer that was
        // away longer than the whole buffer has certainly let the device run dry, so that counts
        // as one too — whether it was away between writes or stopped inside this one.
        let rate = UInt64(max(1, sampleRate))
        let bufferNanoseconds = UInt64(bufferFrames) * 1_000_000_000 / rate
        var counted = noteWriteGap()
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
                throw DeviceError.failed(device, status)
            }
        }
    }

    // MARK: - The long buffer (``Queue/rewindable`` and ``Queue/unpaced``)

    /// Frames the device has room for now, without waiting. An underrun is recovered and
    /// counted. Allocates nothing.
    /// - Throws: ``DeviceError`` when the device fails for good.
    public func writableFrames() throws(DeviceError) -> Int {
        guard let pcm else { return 0 }
        var room = snd_pcm_avail_update(pcm)
        if room < 0 {
            let status = Int32(room)
            if status == -EPIPE || status == -ESTRPIPE { xruns.add(1, ordering: .relaxed) }
            guard snd_pcm_recover(pcm, status, 1) >= 0 else {
                throw DeviceError.failed(device, status)
            }
            room = snd_pcm_avail_update(pcm)
        }
        return max(0, Int(room))
    }

    /// Frames written and not yet heard (the device's delay); 0 when it cannot say.
    public func queuedFrames() -> Int {
        guard let pcm else { return 0 }
        var delay = snd_pcm_sframes_t(0)
        guard snd_pcm_delay(pcm, &delay) >= 0 else { return 0 }
        return max(0, Int(delay))
    }

    /// Of the queued frames, how many can still be taken back (the rest are on their way out).
    public func rewindableFrames() -> Int {
        guard let pcm, queue == .rewindable else { return 0 }
        return max(0, Int(snd_pcm_rewindable(pcm)))
    }

    /// Takes back the last `frameCount` frames written, unheard; the next write replaces them.
    /// - Returns: the frames taken back: all of them, or 0 (a partial rewind is undone).
    public func rewind(_ frameCount: Int) -> Int {
        guard let pcm, queue == .rewindable, frameCount > 0 else { return 0 }
        let taken = Int(snd_pcm_rewind(pcm, snd_pcm_uframes_t(frameCount)))
        if taken == frameCount { return taken }
        if taken > 0 { snd_pcm_forward(pcm, snd_pcm_uframes_t(taken)) }
        return 0
    }

    /// Writes what fits now, without waiting (the long buffer). - Returns: the frames taken.
    /// - Throws: ``DeviceError`` when the device fails for good.
    public func writeAvailable(_ samples: UnsafePointer<Int16>, frameCount: Int) throws(DeviceError) -> Int {
        guard let pcm else { return frameCount }
        noteWriteGap()
        defer { lastWriteEnd = Self.monotonicNanoseconds() }
        var offset = 0
        while offset < frameCount {
            let written = snd_pcm_writei(pcm, samples + offset * channelCount, snd_pcm_uframes_t(frameCount - offset))
            if written >= 0 {
                if written == 0 { break }
                offset += Int(written)
                continue
            }
            let status = Int32(written)
            if status == -EAGAIN { break }
            if status == -EINTR { continue }
            if status == -EPIPE || status == -ESTRPIPE { xruns.add(1, ordering: .relaxed) }
            guard snd_pcm_recover(pcm, status, 1) >= 0 else {
                throw DeviceError.failed(device, status)
            }
        }
        return offset
    }

    /// Counts an underrun the plugin hides: a writer away longer than the whole buffer has
    /// certainly let the device run dry. - Returns: whether it counted one.
    @discardableResult
    private func noteWriteGap() -> Bool {
        guard lastWriteEnd != 0 else { return false }
        let bufferNanoseconds = UInt64(bufferFrames) * 1_000_000_000 / UInt64(max(1, sampleRate))
        guard Self.monotonicNanoseconds() - lastWriteEnd > bufferNanoseconds + 20_000_000 else { return false }
        xruns.add(1, ordering: .relaxed)
        return true
    }

    /// Stops at once, dropping what is queued (a device that no longer plays).
    public func drop() {
        guard let pcm else { return }
        snd_pcm_drop(pcm)
    }

    /// Plays out what is buffered, then stops.
    public func drain() {
        guard let pcm else { return }
        // The long buffer is written without waiting; its end is waited for.
        if queue != .short { snd_pcm_nonblock(pcm, 0) }
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
