import CFileIO
import CSndfile
#if canImport(Glibc)
import Glibc
#endif

/// Writes an audio file atomically: into a temporary file beside the target, renamed into
/// place by ``finish()``; on any failure the temporary file is removed and an existing
/// target is left untouched.
public final class SoundFileSink: PCMSink {
    public let path: String
    public let format: AudioFileFormat
    private let temporaryPath: String
    private var handle: OpaquePointer?
    private var descriptor: Int32 = -1
    private let channelCount: Int

    /// Creates the temporary file and writes the header, metadata and cue markers.
    /// - Throws: ``OutputError`` (`cannotCreate`) when the file cannot be created.
    public init(path: String, format: AudioFileFormat, sampleRate: Int, channelCount: Int,
                metadata: AudioMetadata, cues: [CueMarker]) throws(OutputError) {
        self.path = path
        self.format = format
        self.channelCount = channelCount
        // A file size limit must arrive as EFBIG from write(), not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        let folder = Self.folder(of: path)
        var info = stat()
        guard stat(folder, &info) == 0 else {
            throw OutputError(.cannotCreate, "cannot create \(path): \(folder) does not exist")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw OutputError(.cannotCreate, "cannot create \(path): \(folder) is not a folder")
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        temporaryPath = (folder == "." && !path.hasPrefix("./") ? "" : folder + "/") + ".\(name).partial-\(getpid())"
        descriptor = open(temporaryPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputError(.cannotCreate, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        guard let sndfileFormat = format.sndfileFormat else { return }
        var sfInfo = SF_INFO()
        sfInfo.samplerate = Int32(sampleRate)
        sfInfo.channels = Int32(channelCount)
        sfInfo.format = sndfileFormat
        guard let opened = sf_open_fd(descriptor, Int32(SFM_WRITE), &sfInfo, 0) else {
            let message = String(cString: sf_strerror(nil))
            abort()
            throw OutputError(.cannotCreate, "cannot create \(path) as \(format.rawValue): \(message)")
        }
        handle = opened
        sf_command(opened, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        sf_set_string(opened, Int32(SF_STR_TITLE), metadata.title)
        sf_set_string(opened, Int32(SF_STR_ARTIST), metadata.artist)
        sf_set_string(opened, Int32(SF_STR_COMMENT), metadata.comment)
        if format == .wav, !cues.isEmpty {
            setCues(cues, on: opened)
        }
    }

    private func setCues(_ cues: [CueMarker], on handle: OpaquePointer) {
        let table = UnsafeMutablePointer<psoas_sf_cues>.allocate(capacity: 1)
        defer { table.deallocate() }
        UnsafeMutableRawPointer(table).initializeMemory(as: UInt8.self, repeating: 0,
                                                        count: MemoryLayout<psoas_sf_cues>.size)
        let capacity = MemoryLayout.size(ofValue: table.pointee.cue_points) / MemoryLayout<SF_CUE_POINT>.stride
        let count = min(cues.count, capacity)
        table.pointee.cue_count = UInt32(count)
        withUnsafeMutableBytes(of: &table.pointee.cue_points) { raw in
            let points = raw.bindMemory(to: SF_CUE_POINT.self)
            for (index, cue) in cues.prefix(count).enumerated() {
                points[index].indx = Int32(index + 1)
                points[index].position = UInt32(truncatingIfNeeded: cue.position)
                points[index].fcc_chunk = 0x6174_6164 // "data", little-endian
                points[index].sample_offset = UInt32(truncatingIfNeeded: cue.position)
                withUnsafeMutableBytes(of: &points[index].name) { nameBytes in
                    let utf8 = Array(cue.name.utf8.prefix(nameBytes.count - 1))
                    nameBytes.copyBytes(from: utf8)
                }
            }
        }
        sf_command(handle, Int32(SFC_SET_CUE), table, Int32(MemoryLayout<psoas_sf_cues>.size))
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>) throws(OutputError) {
        guard let base = samples.baseAddress, !samples.isEmpty else { return }
        // Start writing back what is already in the page cache, so the final fsync in
        // finish() has little left to wait for.
        defer { if descriptor >= 0 { _ = psoas_start_writeback(descriptor) } }
        if let handle {
            let frames = sf_count_t(samples.count / channelCount)
            let written = sf_writef_short(handle, base, frames)
            guard written == frames else {
                let message = String(cString: sf_strerror(handle))
                abort()
                throw OutputError(.io, "cannot write \(path): \(message)")
            }
        } else {
            var offset = 0
            let byteCount = samples.count * 2
            while offset < byteCount {
                let result = Glibc.write(descriptor, UnsafeRawPointer(base).advanced(by: offset), byteCount - offset)
                if result < 0, errno == EINTR { continue }
                guard result > 0 else {
                    let message = String(cString: strerror(errno))
                    abort()
                    throw OutputError(.io, "cannot write \(path): \(message)")
                }
                offset += result
            }
        }
    }

    public func finish() throws(OutputError) {
        if let handle {
            self.handle = nil
            let status = sf_close(handle)
            guard status == 0 else {
                let message = String(cString: sf_error_number(status))
                abort()
                throw OutputError(.io, "cannot write \(path): \(message)")
            }
        }
        guard descriptor >= 0 else { throw OutputError(.io, "cannot write \(path): already closed") }
        if format == .ogg, !OggSerial.normalize(descriptor: descriptor) {
            abort()
            throw OutputError(.io, "cannot write \(path): the Ogg stream could not be finished")
        }
        let fd = descriptor
        descriptor = -1
        guard fsync(fd) == 0 || errno == EINVAL, close(fd) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(.io, "cannot write \(path): \(message)")
        }
        guard rename(temporaryPath, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(.cannotCreate, "cannot create \(path): \(message)")
        }
    }

    public func abort() {
        if let handle {
            self.handle = nil
            sf_close(handle)
        }
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }

    deinit {
        if handle != nil || descriptor >= 0 { abort() }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}

/// Writes raw PCM to standard output (`-o - --format raw`).
public final class StandardOutputSink: PCMSink {
    public init() {
        signal(SIGPIPE, SIG_IGN)
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>) throws(OutputError) {
        guard let base = samples.baseAddress else { return }
        var offset = 0
        let byteCount = samples.count * 2
        while offset < byteCount {
            let result = Glibc.write(1, UnsafeRawPointer(base).advanced(by: offset), byteCount - offset)
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw OutputError(.io, "cannot write to standard output: \(String(cString: strerror(errno)))") }
            offset += result
        }
    }

    public func finish() throws(OutputError) {}
    public func abort() {}
}
