import SystemIO

/// libsndfile writes a WAV file's cue points but not their names, so audio editors would show
/// "Marker 7"; in an RF64 file it writes neither. This builds the cue chunk (`cue `) and an
/// associated-data list (`LIST` of type `adtl`) with one `labl` entry per cue point id: handed
/// to libsndfile for an RF64 file's header, or appended to a finished WAV file, whose RIFF size
/// is then updated.
enum WaveLabels {
    /// The `LIST`/`adtl` chunk naming cue points 1, 2, … with `labels` (UTF-8, NUL-terminated,
    /// each entry padded to an even size).
    static func chunk(labels: [String]) -> [UInt8] {
        let body = listPayload(labels: labels, wordAligned: false)
        return Array("LIST".utf8) + littleEndian(UInt32(body.count)) + body
    }

    /// The payload of the `LIST`/`adtl` chunk (its type and entries, without the chunk header).
    /// - Parameter wordAligned: the payload's size is made a multiple of 4 (libsndfile rounds an
    ///   added chunk's size up to one) by two more NUL bytes after the last label.
    static func listPayload(labels: [String], wordAligned: Bool) -> [UInt8] {
        var body: [UInt8] = Array("adtl".utf8)
        for (index, label) in labels.enumerated() {
            var text = Array(label.utf8) + [0]
            let padding = text.count % 2
            if wordAligned, index == labels.count - 1, (body.count + 12 + text.count + padding) % 4 != 0 {
                text += [0, 0]
            }
            body += Array("labl".utf8)
            body += littleEndian(UInt32(4 + text.count))
            body += littleEndian(UInt32(index + 1))
            body += text
            if padding == 1 { body.append(0) }
        }
        return body
    }

    /// The payload of the `cue ` chunk for cue points 1, 2, … at `positions` (frames into the
    /// `data` chunk), as libsndfile writes it for a WAV file. Each position must be below 2³².
    static func cuePayload(positions: [Int64]) -> [UInt8] {
        var body = littleEndian(UInt32(positions.count))
        for (index, position) in positions.enumerated() {
            let frame = UInt32(truncatingIfNeeded: position)
            body += littleEndian(UInt32(index + 1))
            body += littleEndian(frame)
            body += Array("data".utf8)
            body += littleEndian(0) // chunk start
            body += littleEndian(0) // block start
            body += littleEndian(frame)
        }
        return body
    }

    /// Appends the labels to the WAV file open (readable and writable) as `descriptor`.
    /// - Returns: `false` when the file is not a RIFF WAV file, would outgrow RIFF's 4 GiB,
    ///   or an I/O call failed.
    static func append(labels: [String], descriptor: FileDescriptor) -> Bool {
        var header = [UInt8](repeating: 0, count: 12)
        let headerRead = header.withUnsafeMutableBytes { try? descriptor.read(fromAbsoluteOffset: 0, into: $0) }
        guard headerRead == 12, Array(header[0..<4]) == Array("RIFF".utf8),
              Array(header[8..<12]) == Array("WAVE".utf8) else { return false }
        guard let fileSize = try? descriptor.seek(offset: 0, from: .end), fileSize >= 12 else { return false }
        // Chunks start at even offsets: pad an odd-sized file first.
        var appended: [UInt8] = fileSize % 2 == 1 ? [0] : []
        appended += chunk(labels: labels)
        let newSize = fileSize + Int64(appended.count)
        guard newSize - 8 <= Int64(UInt32.max) else { return false }
        let written = appended.withUnsafeBytes { try? descriptor.write(toAbsoluteOffset: fileSize, $0) }
        guard written == appended.count else { return false }
        let riffSize = littleEndian(UInt32(newSize - 8))
        return riffSize.withUnsafeBytes { try? descriptor.write(toAbsoluteOffset: 4, $0) } == 4
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
