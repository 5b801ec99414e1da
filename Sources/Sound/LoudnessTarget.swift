import AudioIO

#if canImport(Glibc)
import Glibc
#endif

/// How loud a whole export is made (EBU R 128 integrated loudness, measured with libebur128).
public enum LoudnessTarget: String, Sendable, CaseIterable {
    /// Podcasts and phones: −16 LUFS in stereo, −19 LUFS in mono.
    case podcast
    /// EBU R 128 broadcast: −23 LUFS.
    case broadcast
    /// As rendered: voice at −18 LUFS, tones and bed well under it (about −21 LUFS over a session).
    case none

    /// The integrated loudness aimed at, or `nil` for ``none``.
    public func lufs(channelCount: Int) -> Double? {
        switch self {
        case .podcast: channelCount == 1 ? -19 : -16
        case .broadcast: -23
        case .none: nil
        }
    }

    /// How close to the target a match gets, in LU.
    public static let tolerance = 0.2

    /// Finds the master gain that brings `renderer`'s output, through the master limiter, to
    /// `lufs`: measures a whole render, sets the gain by the difference, and measures again
    /// (the limiter takes a little off the loudest peaks), up to four passes. Rendering is
    /// deterministic, so the export that follows has the loudness measured here.
    /// Leaves the renderer at the start with the gain set.
    /// - Returns: the loudness reached.
    /// - Throws: ``AudioIOError`` when the meter fails.
    @discardableResult
    public static func match(_ renderer: Renderer, to lufs: Double) throws(AudioIOError) -> Loudness {
        var reached = Loudness(integrated: -.infinity, truePeak: 0)
        renderer.gain = 1
        for _ in 0..<4 {
            reached = try measure(renderer)
            guard reached.integrated.isFinite else { break }
            let error = lufs - reached.integrated
            if abs(error) <= tolerance { break }
            renderer.gain *= Float(pow(10, error / 20))
        }
        renderer.seek(to: 0)
        return reached
    }

    /// The loudness of `renderer`'s whole output through the limiter, from the start.
    public static func measure(_ renderer: Renderer) throws(AudioIOError) -> Loudness {
        renderer.seek(to: 0)
        let meter = try LoudnessMeter(channelCount: renderer.channelCount, sampleRate: renderer.sampleRate)
        let stream = LimitedStream(renderer)
        let block = UnsafeMutablePointer<Int16>.allocate(capacity: Renderer.maximumBlock * renderer.channelCount)
        defer { block.deallocate() }
        while case let frames = stream.next(into: block, frameCount: Renderer.maximumBlock), frames > 0 {
            meter.add(block, frameCount: frames)
        }
        if let failure = stream.failure {
            throw AudioIOError(call: "decode", subject: failure.path, message: failure.description)
        }
        renderer.seek(to: 0)
        return try meter.result()
    }
}
