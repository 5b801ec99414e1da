import CSndfile
import SystemIO
#if canImport(Glibc)
import Glibc
#endif

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

    /// Reads the header of the audio file open (readable) as `descriptor`, from its start;
    /// the descriptor stays open.
    /// - Parameter subject: the file's name, for the error.
    /// - Throws: ``AudioIOError`` when libsndfile cannot open it.
    public static func read(descriptor: FileDescriptor, subject: String) throws(AudioIOError) -> SoundFileInfo {
        do {
            try descriptor.seek(offset: 0, from: .start)
        } catch {
            throw AudioIOError(call: "lseek", subject: subject, message: "cannot seek to its start: \(error)")
        }
        var info = SF_INFO()
        guard let handle = sf_open_fd(descriptor.rawValue, Int32(SFM_READ), &info, 0) else {
            throw AudioIOError(call: "sf_open_fd", subject: subject, message: String(cString: sf_strerror(nil)))
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

extension SoundFileInfo {
    /// The cue markers of a WAV file, in file order.
    /// - Throws: ``AudioIOError`` when libsndfile cannot open it.
    public static func cues(path: String) throws(AudioIOError) -> [CueMarker] {
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioIOError(call: "sf_open", subject: path, message: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(handle) }
        let table = UnsafeMutablePointer<psoas_sf_cues>.allocate(capacity: 1)
        defer { table.deallocate() }
        UnsafeMutableRawPointer(table).initializeMemory(as: UInt8.self, repeating: 0,
                                                        count: MemoryLayout<psoas_sf_cues>.size)
        guard sf_command(handle, Int32(SFC_GET_CUE), table, Int32(MemoryLayout<psoas_sf_cues>.size)) == SF_TRUE else {
            return []
        }
        let count = Int(table.pointee.cue_count)
        return withUnsafeBytes(of: &table.pointee.cue_points) { raw in
            let points = raw.bindMemory(to: SF_CUE_POINT.self)
            return (0..<min(count, points.count)).map { index in
                let name = withUnsafeBytes(of: points[index].name) { bytes in
                    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                }
                return CueMarker(position: Int64(points[index].sample_offset), name: name)
            }
        }
    }

    /// A metadata string of a file (title, artist, comment), or `nil`.
    public static func string(_ kind: MetadataField, path: String) -> String? {
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else { return nil }
        defer { sf_close(handle) }
        guard let text = sf_get_string(handle, kind.code) else { return nil }
        return String(cString: text)
    }

    public enum MetadataField: Sendable {
        case title, artist, comment

        var code: Int32 {
            switch self {
            case .title: Int32(SF_STR_TITLE)
            case .artist: Int32(SF_STR_ARTIST)
            case .comment: Int32(SF_STR_COMMENT)
            }
        }
    }
}
