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

    /// libsndfile's format code; `nil` for raw, which psoas writes itself.
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
