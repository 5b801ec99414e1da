import CSndfile
import SystemIO

/// Writes an audio file to an ``OutputTarget``: a file appears (or is replaced) only when
/// ``finish()`` completes it, together with its companions; on any failure nothing is left
/// behind and an existing file is untouched.
///
/// A WAV file that may outgrow the 4 GiB that RIFF's 32-bit sizes can describe is written as
/// RF64 (its sizes in a 64-bit `ds64` chunk), which libsndfile turns back into a plain WAV file
/// when it fits after all; its cue markers and labels are the same either way.
public final class SoundFileSink: PCMSink {
    public let path: String
    public let format: AudioFileFormat
    /// The finished file as read back from its header by ``finish()`` (for raw PCM, from its
    /// size); `nil` before that, and for a stream, which cannot be read back.
    public private(set) var writtenFile: SoundFileInfo?
    private let target: OutputTarget
    /// Outputs written beside the audio (captions): committed with it, or aborted with it.
    private let companions: [OutputTarget]
    private var handle: OpaquePointer?
    private let sampleRate: Int
    private let channelCount: Int
    private var framesWritten: Int64 = 0
    /// Bytes written since writing back was last started (see ``writebackBytes``).
    private var bytesSinceWriteback = 0
    /// How much is written between two starts of writing back to the disk.
    static let writebackBytes = 8 << 20
    /// The names of the cue points written, labelled by ``finish()`` (libsndfile does not).
    private var cueLabels: [String] = []
    /// The chunks handed to libsndfile for an RF64 header, kept until it is closed.
    private var chunkPayloads: [UnsafeMutableRawBufferPointer] = []

    /// The most cue points written (the size of libsndfile's cue table, `psoas_sf_cues`).
    static let maximumCueCount = (MemoryLayout<psoas_sf_cues>.size
        - (MemoryLayout<psoas_sf_cues>.offset(of: \.cue_points) ?? 0)) / MemoryLayout<SF_CUE_POINT>.stride

    /// Opens `path` (see ``OutputTarget``) and writes the header, metadata and cue markers
    /// (in a WAV file, each with its name as a label that audio editors show).
    /// - Parameter frameCount: the frames that will be written, when known (see
    ///   ``init(target:format:sampleRate:channelCount:frameCount:metadata:cues:companions:)``).
    /// - Throws: ``OutputError`` (`cannotCreate`) when the file cannot be created.
    public convenience init(path: String, format: AudioFileFormat, sampleRate: Int, channelCount: Int,
                            frameCount: Int64? = nil, metadata: AudioMetadata, cues: [CueMarker]) throws(OutputError) {
        try self.init(target: OutputTarget(path: path, seekable: format != .raw), format: format,
                      sampleRate: sampleRate, channelCount: channelCount, frameCount: frameCount,
                      metadata: metadata, cues: cues)
    }

    /// Writes into `target`; `companions` are committed together with it by ``finish()``.
    /// - Parameter frameCount: the frames that will be written, when known. A WAV file is
    ///   written as plain RIFF WAV only when they surely fit in 4 GiB, else as RF64 (plain WAV
    ///   again if it fits after all); `nil` counts as "may not fit".
    /// - Throws: ``OutputError`` (`cannotCreate`) when libsndfile cannot start the format.
    public init(target: OutputTarget, format: AudioFileFormat, sampleRate: Int, channelCount: Int,
                frameCount: Int64? = nil, metadata: AudioMetadata, cues: [CueMarker],
                companions: [OutputTarget] = []) throws(OutputError) {
        self.path = target.path
        self.format = format
        self.target = target
        self.companions = companions
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        guard var sndfileFormat = format.sndfileFormat else { return }
        let cues = Array(cues.prefix(Self.maximumCueCount))
        let isRF64 = format == .wav && !Self.fitsInRIFF(frameCount: frameCount, channelCount: channelCount,
                                                        metadata: metadata, cues: cues)
        if isRF64 { sndfileFormat = Int32(SF_FORMAT_RF64 | SF_FORMAT_PCM_16) }
        var sfInfo = SF_INFO()
        sfInfo.samplerate = Int32(sampleRate)
        sfInfo.channels = Int32(channelCount)
        sfInfo.format = sndfileFormat
        guard let descriptor = target.descriptor, let opened = sf_open_fd(descriptor.rawValue, Int32(SFM_WRITE), &sfInfo, 0) else {
            let message = String(cString: sf_strerror(nil))
            abort()
            throw OutputError(.cannotCreate, "cannot create \(path) as \(format.rawValue): \(message)")
        }
        handle = opened
        sf_command(opened, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        if isRF64 { sf_command(opened, Int32(SFC_RF64_AUTO_DOWNGRADE), nil, Int32(SF_TRUE)) }
        sf_set_string(opened, Int32(SF_STR_TITLE), metadata.title)
        sf_set_string(opened, Int32(SF_STR_ARTIST), metadata.artist)
        sf_set_string(opened, Int32(SF_STR_COMMENT), metadata.comment)
        guard format == .wav, !cues.isEmpty else { return }
        if isRF64 {
            // libsndfile writes no cue chunk into RF64: both chunks go into its header.
            guard addChunk("cue ", WaveLabels.cuePayload(positions: cues.map(\.position)), to: opened),
                  addChunk("LIST", WaveLabels.listPayload(labels: cues.map(\.name), wordAligned: true), to: opened) else {
                abort()
                throw OutputError(.cannotCreate, "cannot create \(path) as RF64: the cue markers could not be added")
            }
        } else {
            setCues(cues, on: opened)
        }
    }

    /// Whether a WAV file of `frameCount` 16-bit frames, with its metadata and cue markers,
    /// surely stays under RIFF's 4 GiB. The header's size is bounded generously: the data is
    /// what matters, and RF64 falls back to plain WAV when the file fits after all.
    static func fitsInRIFF(frameCount: Int64?, channelCount: Int, metadata: AudioMetadata, cues: [CueMarker]) -> Bool {
        guard let frameCount else { return false }
        let dataBytes = frameCount * Int64(channelCount) * 2
        let markerBytes = cues.reduce(Int64(0)) { $0 + 24 + 16 + Int64($1.name.utf8.count) }
        let textBytes = Int64(metadata.title.utf8.count + metadata.artist.utf8.count + metadata.comment.utf8.count)
        let headerAllowance: Int64 = 1 << 20
        return dataBytes + markerBytes + textBytes + headerAllowance <= Int64(UInt32.max)
    }

    /// Adds a chunk to the header libsndfile writes.
    /// - Returns: `false` when libsndfile refuses it.
    private func addChunk(_ id: String, _ payload: [UInt8], to handle: OpaquePointer) -> Bool {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, payload.count), alignment: 8)
        storage.copyBytes(from: payload)
        chunkPayloads.append(storage)
        var info = SF_CHUNK_INFO()
        withUnsafeMutableBytes(of: &info.id) { $0.copyBytes(from: id.utf8.prefix($0.count - 1)) }
        info.id_size = UInt32(id.utf8.count)
        info.datalen = UInt32(payload.count)
        info.data = storage.baseAddress
        return sf_set_chunk(handle, &info) == SF_ERR_NO_ERROR
    }

    private func setCues(_ cues: [CueMarker], on handle: OpaquePointer) {
        let table = UnsafeMutablePointer<psoas_sf_cues>.allocate(capacity: 1)
        defer { table.deallocate() }
        UnsafeMutableRawPointer(table).initializeMemory(as: UInt8.self, repeating: 0,
                                                        count: MemoryLayout<psoas_sf_cues>.size)
        let count = min(cues.count, Self.maximumCueCount)
        table.pointee.cue_count = UInt32(count)
        cueLabels = cues.prefix(count).map(\.name)
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
        // finish() has little left to wait for: every few MiB (each start walks the whole file).
        bytesSinceWriteback += samples.count * 2
        defer {
            if bytesSinceWriteback >= Self.writebackBytes {
                bytesSinceWriteback = 0
                target.startWriteback()
            }
        }
        do throws(OutputError) {
            let frames = samples.count / channelCount
            if let handle {
                guard sf_writef_short(handle, base, sf_count_t(frames)) == frames else {
                    throw OutputError(.io, "cannot write \(path): \(String(cString: sf_strerror(handle)))")
                }
            } else {
                try target.write(UnsafeRawBufferPointer(samples))
            }
            framesWritten += Int64(frames)
        } catch {
            abort()
            throw error
        }
    }

    /// Completes the file and reads its header back: it must hold exactly the frames written,
    /// at the rate and channel count asked for (see ``writtenFile``).
    public func finish() throws(OutputError) {
        if let handle {
            self.handle = nil
            let status = sf_close(handle)
            releaseChunks()
            guard status == 0 else {
                let message = String(cString: sf_error_number(status))
                abort()
                throw OutputError(.io, "cannot write \(path): \(message)")
            }
        }
        // A device written directly gets the cue points without their labels.
        if format == .wav, !cueLabels.isEmpty, !target.isStream, let descriptor = target.descriptor,
           !WaveLabels.append(labels: cueLabels, descriptor: descriptor) {
            abort()
            throw OutputError(.io, "cannot write \(path): the cue labels could not be added")
        }
        if format == .ogg, !target.isStream, let descriptor = target.descriptor, !OggSerial.normalize(descriptor: descriptor) {
            abort()
            throw OutputError(.io, "cannot write \(path): the Ogg stream could not be finished")
        }
        if !target.isStream, let descriptor = target.descriptor {
            try readBack(descriptor)
        }
        try OutputTarget.commit([target] + companions)
    }

    /// Sets ``writtenFile`` from the finished file; aborts when it is not what was written.
    private func readBack(_ descriptor: FileDescriptor) throws(OutputError) {
        let file: SoundFileInfo
        if format == .raw {
            let size: Int64
            do {
                size = try descriptor.seek(offset: 0, from: .end)
            } catch {
                abort()
                throw OutputError(.io, "cannot write \(path): the finished file cannot be read back: \(error)")
            }
            file = SoundFileInfo(frameCount: size / Int64(2 * channelCount), sampleRate: sampleRate,
                                 channelCount: channelCount)
        } else {
            do throws(AudioIOError) {
                file = try SoundFileInfo.read(descriptor: descriptor, subject: path)
            } catch {
                abort()
                throw OutputError(.io, "cannot write \(path): the finished file cannot be read back: \(error.message) (\(error.call))")
            }
        }
        guard file == SoundFileInfo(frameCount: framesWritten, sampleRate: sampleRate, channelCount: channelCount) else {
            abort()
            throw OutputError(.io, "cannot write \(path): its header says \(file.frameCount) frames at \(file.sampleRate) Hz in \(file.channelCount) channels, but \(framesWritten) frames at \(sampleRate) Hz in \(channelCount) channels were written")
        }
        writtenFile = file
    }

    public func abort() {
        if let handle {
            self.handle = nil
            sf_close(handle)
        }
        releaseChunks()
        target.abort()
        companions.forEach { $0.abort() }
    }

    private func releaseChunks() {
        chunkPayloads.forEach { $0.deallocate() }
        chunkPayloads = []
    }

    deinit {
        if handle != nil { abort() }
        releaseChunks()
    }
}
