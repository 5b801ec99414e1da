import AudioIO
import Foundation
import PsoasTestSupport
import Testing

/// `psoas export` as a user runs it: formats, round trips, markers, captions, failures.
@Suite struct ExportCommandTests {
    let short = sessionFixture("short.yaml")

    func temporaryFolder() throws -> URL { try makeTemporaryFolder("psoas-export") }

    func planned(_ arguments: [String]) throws -> [String: Any] {
        let result = try runPsoas(["plan", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func wavHasExactlyThePlannedFramesWithMarkersAndMetadata() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("short.wav").path
        let result = try runPsoas(["export", short, "-o", path])
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try planned([short])
        let info = try SoundFileInfo.read(path: path)
        #expect(info.frameCount == Int64(try #require(plan["frames"] as? Int)))
        #expect(info.sampleRate == 48_000)
        #expect(info.channelCount == 1)
        let events = try #require(plan["events"] as? [[String: Any]])
        let stepStarts = events.filter { $0["type"] as? String == "step" }.compactMap { $0["start"] as? Int }
        let markers = try SoundFileInfo.cues(path: path)
        #expect(markers.map { Int($0.position) } == stepStarts)
        #expect(SoundFileInfo.string(.title, path: path) == "Kurz")
        #expect(SoundFileInfo.string(.artist, path: path) == "psoas")
    }

    @Test func wavCueMarkersAreLabelledWithTheStepTitles() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("short.wav").path
        let result = try runPsoas(["export", short, "-o", path])
        #expect(result.status == 0, "\(result.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(String(decoding: bytes[0..<4], as: UTF8.self) == "RIFF")
        #expect(littleEndian32(bytes, at: 4) == bytes.count - 8, "the RIFF size covers the whole file")
        let chunks = riffChunks(bytes)
        #expect(chunks.last.map { $0.offset + $0.size + ($0.size & 1) } == bytes.count, "the chunks fill the file")

        let cue = try #require(chunks.first { $0.id == "cue " })
        let cueCount = littleEndian32(bytes, at: cue.offset)
        let cueIDs = (0..<cueCount).map { littleEndian32(bytes, at: cue.offset + 4 + 24 * $0) }

        let list = try #require(chunks.first {
            $0.id == "LIST" && String(decoding: bytes[$0.offset..<$0.offset + 4], as: UTF8.self) == "adtl"
        }, "a LIST chunk of type adtl")
        var labels: [Int: String] = [:]
        for entry in riffChunks(bytes, from: list.offset + 4, to: list.offset + list.size) {
            #expect(entry.id == "labl")
            let text = bytes[entry.offset + 4..<entry.offset + entry.size]
            #expect(text.last == 0, "the label is NUL-terminated")
            labels[littleEndian32(bytes, at: entry.offset)] = String(decoding: text.dropLast(), as: UTF8.self)
        }
        let events = try #require(try planned([short])["events"] as? [[String: Any]])
        let titles = events.filter { $0["type"] as? String == "step" }.compactMap { $0["title"] as? String }
        #expect(titles.contains("Ankommen"))
        #expect(labels.count == cueCount)
        #expect(cueIDs.map { labels[$0] ?? "(none)" } == titles)

        let plan = try planned([short])
        let seconds = Double(try #require(plan["frames"] as? Int)) / 48_000
        #expect(abs(try soxDuration(path) - seconds) <= 0.001, "soxi reads the labelled file")
        #expect(try runSox([path, "-n", "stat"]) == 0, "sox reads the labelled file")
    }

    @Test(arguments: ["flac", "ogg", "mp3"])
    func compressedFormatsAreReadableBySoxWithTheSameDuration(format: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("short.\(format)").path
        let result = try runPsoas(["export", short, "-o", path, "--rate", "44100"])
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try planned([short, "--rate", "44100"])
        let seconds = Double(try #require(plan["frames"] as? Int)) / 44_100
        let measured = try soxDuration(path)
        #expect(abs(measured - seconds) <= 0.1, "\(format): sox says \(measured) s, plan \(seconds) s")
    }

    @Test(arguments: ["flac", "ogg", "mp3"])
    func compressedExportsAreRepeatableByteForByte(format: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.\(format)").path
        let second = folder.appendingPathComponent("b.\(format)").path
        #expect(try runPsoas(["export", short, "-o", first]).status == 0)
        #expect(try runPsoas(["export", short, "-o", second]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
    }

    @Test func captionsHaveOneCuePerVoiceEvent() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let audio = folder.appendingPathComponent("short.wav").path
        let captions = folder.appendingPathComponent("short.vtt").path
        let result = try runPsoas(["export", short, "-o", audio, "--captions", captions])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: captions, encoding: .utf8)
        #expect(text.hasPrefix("WEBVTT\n\n"))
        let events = try #require(try planned([short])["events"] as? [[String: Any]])
        let voices = events.filter { $0["type"] as? String == "voice" }
        #expect(text.components(separatedBy: " --> ").count - 1 == voices.count)
        #expect(text.contains("00:00:00.000 --> "))
        #expect(text.contains("Und mit dem Ausatmen loslassen."))
    }

    @Test func exportIsDeterministicAndRawStdoutIsTheWAVData() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.wav").path
        let second = folder.appendingPathComponent("b.wav").path
        #expect(try runPsoas(["export", short, "-o", first]).status == 0)
        #expect(try runPsoas(["export", short, "-o", second]).status == 0)
        let a = try Data(contentsOf: URL(fileURLWithPath: first))
        let b = try Data(contentsOf: URL(fileURLWithPath: second))
        #expect(a == b)
        let pcm = try #require(wavData(a))
        #expect(pcm.count == Int(try SoundFileInfo.read(path: first).frameCount) * 2)
        let raw = try runPsoas(["export", short, "-o", "-", "--format", "raw"])
        #expect(raw.status == 0, "\(raw.stderr)")
        #expect(raw.stdoutData == pcm, "raw PCM on stdout equals the WAV's data chunk")
        let rawFile = folder.appendingPathComponent("c.raw").path
        #expect(try runPsoas(["export", short, "-o", rawFile]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: rawFile)) == pcm)
    }

    /// The payload of a WAV file's `data` chunk.
    func wavData(_ wav: Data) -> Data? {
        let bytes = [UInt8](wav)
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            if id == "data" { return Data(bytes[offset + 8..<min(bytes.count, offset + 8 + size)]) }
            offset += 8 + size + (size & 1)
        }
        return nil
    }

    @Test func exportUnderAPathWhoseParentIsAFileExits73() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let result = try runPsoas(["export", short, "-o", file + "/out.wav"])
        #expect(result.status == 73)
        #expect(result.stderr == "error: cannot create \(file)/out.wav: \(file) is not a folder\n")
    }

    @Test func exportOverAFileSizeLimitExits74AndLeavesThePreviousFileIntact() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("out.wav").path
        let previous = Data("the previous export".utf8)
        _ = FileManager.default.createFile(atPath: target, contents: previous)
        let script = "ulimit -f 1024; exec \"$0\" export \"$1\" -o \"$2\""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script, psoasExecutable.path, short, target]
        process.environment = ProcessInfo.processInfo.environment.merging(psoasEnvironment([:])) { _, new in new }
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 74, "\(stderr)")
        #expect(stderr.hasPrefix("error: cannot write \(target): "), "\(stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == previous)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "out.wav" }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test func anUnknownExtensionIsAUsageError() throws {
        let result = try runPsoas(["export", short, "-o", "/tmp/out.xyz"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("cannot tell the format of '/tmp/out.xyz' from its extension"))
    }
}
