import Foundation

// Reading exported WAV and RF64 files byte by byte, and through sox.

/// The top-level chunks of a RIFF or RF64 file: identifier, payload offset and size (32-bit;
/// an RF64 `data` chunk's is 0xFFFFFFFF, its real size is in `ds64`).
func riffChunks(_ bytes: [UInt8], from start: Int = 12, to end: Int? = nil) -> [(id: String, offset: Int, size: Int)] {
    var chunks: [(id: String, offset: Int, size: Int)] = []
    var offset = start
    let end = end ?? bytes.count
    while offset + 8 <= end {
        let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
        let size = littleEndian32(bytes, at: offset + 4)
        chunks.append((id, offset + 8, size))
        offset += 8 + size + (size & 1)
    }
    return chunks
}

func littleEndian32(_ bytes: [UInt8], at offset: Int) -> Int {
    Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
}

func littleEndian64(_ bytes: [UInt8], at offset: Int) -> Int64 {
    Int64(littleEndian32(bytes, at: offset)) | Int64(littleEndian32(bytes, at: offset + 4)) << 32
}

/// The `labl` entries of a `LIST` chunk of type `adtl`: cue point id → label.
func cueLabels(_ bytes: [UInt8], list: (id: String, offset: Int, size: Int)) -> [Int: String] {
    var labels: [Int: String] = [:]
    for entry in riffChunks(bytes, from: list.offset + 4, to: list.offset + list.size) where entry.id == "labl" {
        let text = bytes[entry.offset + 4..<entry.offset + entry.size]
        labels[littleEndian32(bytes, at: entry.offset)] = String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }
    return labels
}

/// Runs sox's `soxi -D` (duration in seconds).
func soxDuration(_ path: String) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/soxi")
    process.arguments = ["-D", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
}
