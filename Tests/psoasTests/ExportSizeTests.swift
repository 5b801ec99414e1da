import AudioIO
import Foundation
import PsoasTestSupport
import Testing

/// Exports and the size and length limits of their formats: a WAV export past RIFF's 4 GiB is
/// RF64, a short one stays plain WAV, and a format that cannot hold an export refuses it.
@Suite struct ExportSizeTests {
    /// 187 minutes of 96 kHz stereo 16-bit: 4 308 480 000 bytes of samples, just past the
    /// 4 294 967 295 that a RIFF size can count.
    static let bigMinutes = 187
    static let bigFrameCount = Int64(bigMinutes) * 60 * 96_000
    static let bigDataBytes = bigFrameCount * 4

    /// Whether the temporary folder has room for the big export and a margin; says so when not.
    static func hasRoomForBigExport() -> Bool {
        let folder = FileManager.default.temporaryDirectory.path
        let needed = bigDataBytes + (256 << 20)
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0 else { return false }
        let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        if free < needed {
            print("ExportSizeTests: skipping the export past 4 GiB: \(folder) has \(free >> 20) MiB free, it needs \(needed >> 20) MiB")
        }
        return free >= needed
    }

    @Test(.enabled(if: hasRoomForBigExport(), "the export past 4 GiB needs about 4.4 GB free in the temporary folder"))
    func aWAVExportPast4GiBIsRF64WithItsFullLengthAndMarkers() throws {
        let folder = try makeTemporaryFolder("psoas-rf64")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("big.wav").path
        let result = try runPsoas(["breathe", "4-6", "--minutes", "\(Self.bigMinutes)", "--rate", "96000", "--channels", "2",
                                   "--ambience", "off", "-o", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "wrote \(path): Atmen 4-6, 3:07:00, wav 96000 Hz\n")

        // libsndfile and sox read the whole length.
        let info = try SoundFileInfo.read(path: path)
        #expect(info == SoundFileInfo(frameCount: Self.bigFrameCount, sampleRate: 96_000, channelCount: 2))
        let seconds = try soxDuration(path)
        #expect(abs(seconds - Double(Self.bigMinutes * 60)) < 0.001, "soxi says \(seconds) s")

        // The header: RF64 with its 64-bit sizes in ds64, the cue marker and its label.
        let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(fileSize > Int(UInt32.max))
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        let head = [UInt8](try #require(try handle.read(upToCount: 1 << 16)))
        #expect(String(decoding: head[0..<4], as: UTF8.self) == "RF64")
        #expect(littleEndian32(head, at: 4) == 0xFFFF_FFFF)
        #expect(String(decoding: head[8..<12], as: UTF8.self) == "WAVE")
        let chunks = riffChunks(head).prefix { $0.id != "data" }
        let ds64 = try #require(chunks.first, "a first chunk")
        #expect(ds64.id == "ds64")
        #expect(littleEndian64(head, at: ds64.offset) == Int64(fileSize - 8), "ds64's RIFF size covers the whole file")
        #expect(littleEndian64(head, at: ds64.offset + 8) == Self.bigDataBytes, "ds64's data size")
        #expect(littleEndian64(head, at: ds64.offset + 16) == Self.bigFrameCount, "ds64's frame count")
        let data = try #require(riffChunks(head).first { $0.id == "data" })
        #expect(data.size == 0xFFFF_FFFF)
        #expect(Int64(data.offset) + Self.bigDataBytes == Int64(fileSize), "the samples end the file")

        let cue = try #require(chunks.first { $0.id == "cue " })
        #expect(littleEndian32(head, at: cue.offset) == 1, "one cue point")
        #expect(littleEndian32(head, at: cue.offset + 4) == 1, "cue point id 1")
        #expect(littleEndian32(head, at: cue.offset + 4 + 20) == 0, "at frame 0")
        let list = try #require(chunks.first {
            $0.id == "LIST" && String(decoding: head[$0.offset..<$0.offset + 4], as: UTF8.self) == "adtl"
        }, "a LIST chunk of type adtl")
        #expect(cueLabels(head, list: list) == [1: "Atmen"])
    }

    @Test func aShortWAVExportStaysPlainRIFFWAV() throws {
        let folder = try makeTemporaryFolder("psoas-rf64")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("short.wav").path
        let result = try runPsoas(["export", sessionFixture("short.yaml"), "--rate", "96000", "--channels", "2", "-o", path])
        #expect(result.status == 0, "\(result.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(String(decoding: bytes[0..<4], as: UTF8.self) == "RIFF")
        #expect(littleEndian32(bytes, at: 4) == bytes.count - 8, "the RIFF size covers the whole file")
        #expect(String(decoding: bytes[8..<12], as: UTF8.self) == "WAVE")
        let chunks = riffChunks(bytes)
        #expect(chunks.map(\.id).filter { $0 == "ds64" || $0 == "JUNK" }.isEmpty, "\(chunks.map(\.id))")
        let format = try #require(chunks.first { $0.id == "fmt " })
        #expect(littleEndian32(bytes, at: format.offset) & 0xFFFF == 1, "WAVE_FORMAT_PCM")
        let info = try SoundFileInfo.read(path: path)
        #expect(result.stderr == "wrote \(path): Kurz, 1:35, wav 96000 Hz\n")
        #expect(info.sampleRate == 96_000 && info.channelCount == 2)
    }

    // MARK: - Limits of the formats

    @Test func everyFormatHoldsTheLongestSessionAtTheHighestRate() {
        let frameCount: Int64 = 6 * 60 * 60 * 96_000
        for format in AudioFileFormat.allCases {
            #expect(format.capacityProblem(frameCount: frameCount, sampleRate: 96_000) == nil, "\(format)")
        }
    }

    @Test func aFormatThatCannotHoldAnExportNamesItsLimitAndOneThatCan() {
        let thirteenHours: Int64 = 13 * 60 * 60 * 96_000
        #expect(AudioFileFormat.wav.capacityProblem(frameCount: thirteenHours, sampleRate: 96_000)
            == "--format wav cannot hold 13.0 hours at 96000 Hz: a WAV file's cue markers count frames in 32 bits, enough for 12.4 hours; use --format flac")
        #expect(AudioFileFormat.wav.capacityProblem(frameCount: 1 << 32, sampleRate: 96_000) == nil, "the last frame is 2³² − 1")
        #expect(AudioFileFormat.wav.capacityProblem(frameCount: (1 << 32) + 1, sampleRate: 96_000) != nil)
        let thirtyHours: Int64 = 30 * 60 * 60 * 48_000
        #expect(AudioFileFormat.mp3.capacityProblem(frameCount: thirtyHours, sampleRate: 48_000)
            == "--format mp3 cannot hold 30.0 hours at 48000 Hz: an MP3 file's length tag counts bytes in 32 bits, enough for 29.8 hours; use --format ogg")
        let twoHundredHours: Int64 = 200 * 60 * 60 * 96_000
        #expect(AudioFileFormat.flac.capacityProblem(frameCount: twoHundredHours, sampleRate: 96_000)
            == "--format flac cannot hold 200.0 hours at 96000 Hz: a FLAC file counts at most 68719476735 frames, enough for 198.8 hours; use --format ogg or raw")
        #expect(AudioFileFormat.flac.capacityProblem(frameCount: (1 << 36) - 1, sampleRate: 96_000) == nil)
        #expect(AudioFileFormat.ogg.capacityProblem(frameCount: 1 << 40, sampleRate: 44_100) == nil)
        #expect(AudioFileFormat.raw.capacityProblem(frameCount: 1 << 40, sampleRate: 44_100) == nil)
    }
}
