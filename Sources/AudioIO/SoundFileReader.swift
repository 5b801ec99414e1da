import CSndfile

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
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioIOError(call: "sf_open", subject: path, message: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(handle) }
        let channels = Int(info.channels)
        guard info.frames > 0 else {
            throw AudioIOError(call: "sf_open", subject: path, message: "the file has no audio frames")
        }
        guard info.frames <= maximumFrames, (1...16).contains(channels), info.samplerate >= 8_000, info.samplerate <= 192_000 else {
            throw AudioIOError(call: "sf_open", subject: path, message:
                "unsupported shape: \(info.frames) frames, \(channels) channels at \(info.samplerate) Hz")
        }
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
}
