import CSndfile
#if canImport(Glibc)
import Glibc
#endif

/// Decoded audio: mono samples at a rate.
public struct MonoAudio: Sendable {
    public var samples: [Float]
    public var sampleRate: Int

    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    public var seconds: Double { Double(samples.count) / Double(sampleRate) }
}

/// Reads whole audio files (voice clips) with libsndfile.
public enum SoundFileReader {
    /// Clips longer than this are refused rather than read into memory.
    public static let maximumFrames: Int64 = 10 * 60 * 192_000

    /// Reads the file at `path` and mixes its channels to mono.
    /// - Throws: ``AudioIOError`` when it cannot be opened, is empty, absurdly long, or a read fails.
    public static func readMono(path: String) throws(AudioIOError) -> MonoAudio {
        var info = SF_INFO()
        let handle = try open(path: path, info: &info)
        defer { sf_close(handle) }
        let channels = Int(info.channels)
        let frameCount = Int(info.frames)
        var interleaved = [Float](repeating: 0, count: frameCount * channels)
        let read = interleaved.withUnsafeMutableBufferPointer { buffer in
            sf_readf_float(handle, buffer.baseAddress, sf_count_t(frameCount))
        }
        guard read == sf_count_t(frameCount) else {
            throw AudioIOError(call: "sf_readf_float", subject: path, message:
                "read \(read) of \(frameCount) frames: \(String(cString: sf_strerror(handle)))")
        }
        guard channels > 1 else { return MonoAudio(samples: interleaved, sampleRate: Int(info.samplerate)) }
        var mono = [Float](repeating: 0, count: frameCount)
        let scale = 1 / Float(channels)
        for frame in 0..<frameCount {
            var sum: Float = 0
            for channel in 0..<channels { sum += interleaved[frame * channels + channel] }
            mono[frame] = sum * scale
        }
        return MonoAudio(samples: mono, sampleRate: Int(info.samplerate))
    }

    /// Checks that ``readMono(path:)`` can read the file at `path`, without decoding it: its
    /// shape, and that its last frame can be reached and read (a cut-off file's cannot).
    /// - Throws: ``AudioIOError`` as ``readMono(path:)`` would for a file it cannot open, an
    ///   empty or absurd one, or one whose end cannot be read.
    public static func check(path: String) throws(AudioIOError) {
        var info = SF_INFO()
        let handle = try open(path: path, info: &info)
        defer { sf_close(handle) }
        var last = [Float](repeating: 0, count: Int(info.channels))
        let lastFrame = info.frames - 1
        let read = last.withUnsafeMutableBufferPointer { buffer in
            sf_seek(handle, lastFrame, SEEK_SET) == lastFrame ? sf_readf_float(handle, buffer.baseAddress, 1) : 0
        }
        guard read == 1 else {
            throw AudioIOError(call: "sf_seek", subject: path, message:
                "cannot read its last frame (\(lastFrame)): the file is cut off or damaged")
        }
    }

    /// Opens the file at `path` for reading and checks its shape.
    fileprivate static func open(path: String, info: inout SF_INFO) throws(AudioIOError) -> OpaquePointer {
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioIOError(call: "sf_open", subject: path, message: String(cString: sf_strerror(nil)))
        }
        let channels = Int(info.channels)
        guard info.frames > 0 else {
            sf_close(handle)
            throw AudioIOError(call: "sf_open", subject: path, message: "the file has no audio frames")
        }
        guard info.frames <= maximumFrames, (1...16).contains(channels), info.samplerate >= 8_000, info.samplerate <= 192_000 else {
            sf_close(handle)
            throw AudioIOError(call: "sf_open", subject: path, message:
                "unsupported shape: \(info.frames) frames, \(channels) channels at \(info.samplerate) Hz")
        }
        return handle
    }
}

/// Reads an audio file mixed to mono a block at a time (the same samples as
/// ``SoundFileReader/readMono(path:)``), so a long clip never needs a second copy as floats.
///
/// Not thread-safe; one thread reads.
public final class MonoFileReader {
    public let path: String
    public let sampleRate: Int
    public let frameCount: Int64
    private let channelCount: Int
    private let handle: OpaquePointer
    private var interleaved: [Float] = []

    /// Opens the file at `path` and checks its shape.
    /// - Throws: ``AudioIOError`` as ``SoundFileReader/readMono(path:)`` does.
    public init(path: String) throws(AudioIOError) {
        var info = SF_INFO()
        handle = try SoundFileReader.open(path: path, info: &info)
        self.path = path
        sampleRate = Int(info.samplerate)
        frameCount = Int64(info.frames)
        channelCount = Int(info.channels)
    }

    deinit { sf_close(handle) }

    /// Reads the next `count` frames into `target` (fewer only at the end).
    /// - Returns: the frames read; 0 at the end.
    /// - Throws: ``AudioIOError`` when libsndfile cannot read them.
    public func read(into target: UnsafeMutablePointer<Float>, count: Int) throws(AudioIOError) -> Int {
        let read: sf_count_t
        if channelCount == 1 {
            read = sf_readf_float(handle, target, sf_count_t(count))
        } else {
            if interleaved.count < count * channelCount { interleaved = [Float](repeating: 0, count: count * channelCount) }
            read = interleaved.withUnsafeMutableBufferPointer { sf_readf_float(handle, $0.baseAddress, sf_count_t(count)) }
            let scale = 1 / Float(channelCount)
            for frame in 0..<Int(max(0, read)) {
                var sum: Float = 0
                for channel in 0..<channelCount { sum += interleaved[frame * channelCount + channel] }
                target[frame] = sum * scale
            }
        }
        guard read >= 0 else {
            throw AudioIOError(call: "sf_readf_float", subject: path, message: String(cString: sf_strerror(handle)))
        }
        return Int(read)
    }
}
