import CSndfile

/// The formats `psoas export` writes.
public enum AudioFileFormat: String, CaseIterable, Sendable {
    /// 16-bit PCM WAV, with a cue marker at every step start.
    case wav
    /// 16-bit FLAC.
    case flac
    /// Ogg Vorbis.
    case ogg
    /// MPEG Layer III (libsndfile 1.1 and later).
    case mp3
    /// Headerless signed 16-bit little-endian PCM, interleaved.
    case raw

    /// The format a file name's extension names, or `nil`.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let ext = path[path.index(after: dot)...].lowercased()
        switch ext {
        case "wav", "wave": self = .wav
        case "flac": self = .flac
        case "ogg", "oga": self = .ogg
        case "mp3": self = .mp3
        case "raw", "pcm", "s16": self = .raw
        default: return nil
        }
    }

    /// libsndfile's format code; `nil` for raw, which psoas writes itself. A WAV file that may
    /// outgrow RIFF's 32-bit sizes is written as RF64 instead (see ``SoundFileSink``).
    var sndfileFormat: Int32? {
        switch self {
        case .wav: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        case .flac: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
        case .ogg: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
        case .mp3: Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III)
        case .raw: nil
        }
    }
}

// MARK: - Limits

extension AudioFileFormat {
    /// Why this format cannot hold `frameCount` frames at `sampleRate`, with the format to use
    /// instead; `nil` when it can. Decided before anything is written, so a file is never
    /// written wrong:
    ///
    /// - WAV has no size limit (past 4 GiB it is RF64, whose sizes are 64-bit), but a cue
    ///   marker's frame position is 32-bit;
    /// - FLAC's stream header counts at most 2³⁶ − 1 frames;
    /// - MP3's length tag (Xing/LAME) counts bytes in 32 bits: at MPEG-1 Layer III's highest
    ///   bit rate, 320 kbit/s, that is 40 000 bytes a second;
    /// - Ogg's granule positions are 64-bit and raw PCM has no header: no limit.
    public func capacityProblem(frameCount: Int64, sampleRate: Int) -> String? {
        let limit: Int64
        let reason: String
        let instead: String
        switch self {
        case .wav:
            limit = Int64(UInt32.max) + 1
            reason = "a WAV file's cue markers count frames in 32 bits"
            instead = "flac"
        case .flac:
            limit = (1 << 36) - 1
            reason = "a FLAC file counts at most \(limit) frames"
            instead = "ogg or raw"
        case .mp3:
            limit = Int64(UInt32.max) / 40_000 * Int64(sampleRate)
            reason = "an MP3 file's length tag counts bytes in 32 bits"
            instead = "ogg"
        case .ogg, .raw:
            return nil
        }
        guard frameCount > limit else { return nil }
        return "--format \(rawValue) cannot hold \(Self.hoursText(frameCount, sampleRate: sampleRate)) at \(sampleRate) Hz: \(reason), enough for \(Self.hoursText(limit, sampleRate: sampleRate)); use --format \(instead)"
    }

    /// `frameCount` at `sampleRate` as hours with one decimal, rounded down ("12.4 hours").
    private static func hoursText(_ frameCount: Int64, sampleRate: Int) -> String {
        let tenths = frameCount / (Int64(sampleRate) * 360)
        return "\(tenths / 10).\(tenths % 10) hours"
    }
}

/// Title, artist and comment written into an exported file.
public struct AudioMetadata: Sendable, Hashable {
    public var title: String
    public var artist: String
    public var comment: String

    public init(title: String, artist: String, comment: String) {
        self.title = title
        self.artist = artist
        self.comment = comment
    }
}

/// A marker in a WAV file: a frame position and a name.
public struct CueMarker: Sendable, Hashable {
    public var position: Int64
    public var name: String

    public init(position: Int64, name: String) {
        self.position = position
        self.name = name
    }
}
