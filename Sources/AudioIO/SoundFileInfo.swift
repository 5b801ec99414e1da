import CSndfile

/// The shape of an audio file as libsndfile reads it.
public struct SoundFileInfo: Sendable, Hashable {
    public var frameCount: Int64
    public var sampleRate: Int
    public var channelCount: Int

    public init(frameCount: Int64, sampleRate: Int, channelCount: Int) {
        self.frameCount = frameCount
        self.sampleRate = sampleRate
        self.channelCount = channelCount
    }

    /// Reads the header of the audio file at `path`.
    /// - Throws: ``AudioIOError`` when libsndfile cannot open it.
    public static func read(path: String) throws(AudioIOError) -> SoundFileInfo {
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioIOError(call: "sf_open", subject: path, message: String(cString: sf_strerror(nil)))
        }
        sf_close(handle)
        return SoundFileInfo(frameCount: Int64(info.frames), sampleRate: Int(info.samplerate),
                             channelCount: Int(info.channels))
    }

    /// The frame count this file has after conversion to `rate`, rounded up.
    public func frameCount(at rate: Int) -> Int64 {
        guard rate != sampleRate else { return frameCount }
        let numerator = frameCount * Int64(rate)
        return (numerator + Int64(sampleRate) - 1) / Int64(sampleRate)
    }
}
