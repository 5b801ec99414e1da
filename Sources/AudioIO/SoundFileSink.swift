import CSndfile
import SystemIO

/// Writes an audio file to an ``OutputTarget``: a file appears (or is replaced) only when
/// ``finish()`` completes it, together with its companions; on any failure nothing is left
/// behind and an existing file is untouched.
public final class SoundFileSink: PCMSink {
    public let path: String
    public let format: AudioFileFormat
    private let target: OutputTarget
    /// Outputs written beside the audio (captions): committed with it, or aborted with it.
    private let companions: [OutputTarget]
    private var handle: OpaquePointer?
    private let channelCount: Int
    /// The names of the cue points written, labelled by ``finish()`` (libsndfile does not).
    private var cueLabels: [String] = []

    /// Opens `path` (see ``OutputTarget``) and writes the header, metadata and cue markers
    /// (in a WAV file, each with its name as a label that audio editors show).
    /// - Throws: ``OutputError`` (`cannotCreate`) when the file cannot be created.
    public convenience init(path: String, format: AudioFileFormat, sampleRate: Int, channelCount: Int,
                            metadata: AudioMetadata, cues: [CueMarker]) throws(OutputError) {
        try self.init(target: OutputTarget(path: path, seekable: format != .raw), format: format,
                      sampleRate: sampleRate, channelCount: channelCount, metadata: metadata, cues: cues)
    }

    /// Writes into `target`; `companions` are committed together with it by ``finish()``.
    /// - Throws: ``OutputError`` (`cannotCreate`) when libsndfile cannot start the format.
    public init(target: OutputTarget, format: AudioFileFormat, sampleRate: Int, channelCount: Int,
                metadata: AudioMetadata, cues: [CueMarker], companions: [OutputTarget] = []) throws(OutputError) {
        self.path = target.path
        self.format = format
        self.target = target
        self.companions = companions
        self.channelCount = channelCount
        guard let sndfileFormat = format.sndfileFormat else { return }
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
        // finish() has little left to wait for.
        defer { target.startWriteback() }
        do throws(OutputError) {
            if let handle {
                let frames = sf_count_t(samples.count / channelCount)
                guard sf_writef_short(handle, base, frames) == frames else {
                    throw OutputError(.io, "cannot write \(path): \(String(cString: sf_strerror(handle)))")
                }
            } else {
                try target.write(UnsafeRawBufferPointer(samples))
            }
        } catch {
            abort()
            throw error
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
        try OutputTarget.commit([target] + companions)
    }

    public func abort() {
        if let handle {
            self.handle = nil
            sf_close(handle)
        }
        target.abort()
        companions.forEach { $0.abort() }
    }

    deinit {
        if handle != nil { abort() }
    }
}
