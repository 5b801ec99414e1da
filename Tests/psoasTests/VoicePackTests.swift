import AudioIO
import Foundation
import PsoasTestSupport
import Testing

/// Your own voice: `psoas voice import`, `voice list`, and packs that fall back to the built-in one.
@Suite struct VoicePackTests {
    let builtin = repositoryRoot.appendingPathComponent("Audio/voices/de-espeak")

    func temporaryFolder() throws -> URL { try makeTemporaryFolder("psoas-voice") }

    /// Runs sox with `arguments`.
    func sox(_ arguments: [String]) throws {
        #expect(try runSox(arguments) == 0, "sox \(arguments)")
    }

    @Test func importedClipsBecomeTrimmedMonoAtMinusEighteenLUFS() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let recordings = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        let cues = ["intro.welcome", "sink.exhale", "hold.start", "outro"]
        let gains = ["-30", "-20", "-12", "-6"]
        var inputSeconds: [String: Double] = [:]
        for (cue, gain) in zip(cues, gains) {
            let path = recordings.appendingPathComponent("\(cue).wav").path
            try sox([builtin.appendingPathComponent("\(cue).flac").path, "-r", "44100", "-c", "2", path, "gain", gain, "pad", "1", "1"])
            let info = try SoundFileInfo.read(path: path)
            #expect(info.sampleRate == 44_100 && info.channelCount == 2)
            inputSeconds[cue] = Double(info.frameCount) / 44_100
        }
        let environment = ["XDG_DATA_HOME": folder.path]
        let result = try runPsoas(["voice", "import", "anna", recordings.path], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("imported 4 clips into anna"))
        let pack = folder.appendingPathComponent("psoas/voices/anna")
        #expect(FileManager.default.fileExists(atPath: pack.appendingPathComponent("pack.yaml").path))
        for cue in cues {
            let path = pack.appendingPathComponent("\(cue).flac").path
            let info = try SoundFileInfo.read(path: path)
            #expect(info.sampleRate == 48_000 && info.channelCount == 1, "\(cue)")
            let seconds = Double(info.frameCount) / 48_000
            let input = try #require(inputSeconds[cue])
            #expect(seconds <= input - 1.5, "\(cue): \(seconds) s from \(input) s")
            let loudness = try Loudness.measure(SoundFileReader.readMono(path: path))
            #expect(abs(loudness.integrated - -18) <= 1, "\(cue): \(loudness.integrated) LUFS")
            #expect(loudness.truePeakDecibels <= -0.9, "\(cue): true peak \(loudness.truePeakDecibels)")
        }
        let list = try runPsoas(["voice", "list"], environment: environment)
        #expect(list.stdout.contains("anna"), "\(list.stdout)")
        #expect(list.stdout.contains("4/69 cues (the rest from de-espeak)"), "\(list.stdout)")
        #expect(list.stdout.contains("de-espeak"))
    }

    @Test func aGarbageFileStopsTheImportAndLeavesThePackUnchanged() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_DATA_HOME": folder.path]
        let first = folder.appendingPathComponent("first")
        try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: builtin.appendingPathComponent("outro.flac"), to: first.appendingPathComponent("outro.flac"))
        #expect(try runPsoas(["voice", "import", "anna", first.path], environment: environment).status == 0)
        let pack = folder.appendingPathComponent("psoas/voices/anna")
        let before = try FileManager.default.contentsOfDirectory(atPath: pack.path).sorted()
        let outroBefore = try Data(contentsOf: pack.appendingPathComponent("outro.flac"))

        let second = folder.appendingPathComponent("second")
        try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: builtin.appendingPathComponent("hold.start.flac"), to: second.appendingPathComponent("hold.start.flac"))
        try Data("this is not audio".utf8).write(to: second.appendingPathComponent("sink.exhale.wav"))
        try FileManager.default.copyItem(at: builtin.appendingPathComponent("intro.welcome.flac"), to: second.appendingPathComponent("outro.flac"))
        try FileManager.default.copyItem(at: builtin.appendingPathComponent("outro.flac"), to: second.appendingPathComponent("no.such.cue.flac"))
        let result = try runPsoas(["voice", "import", "anna", second.path], environment: environment)
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(second.path)/sink.exhale.wav: not usable audio"), "\(result.stderr)")
        #expect(result.stderr.contains("\(second.path)/no.such.cue.flac: 'no.such.cue' is not a cue id"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was imported; pack 'anna' is unchanged"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: pack.path).sorted() == before)
        #expect(try Data(contentsOf: pack.appendingPathComponent("outro.flac")) == outroBefore)
    }

    @Test func exportWithAPartialPackUsesItsClipsAndNamesTheCuesThatFellBack() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_DATA_HOME": folder.path]
        let recordings = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        // A different voice for one cue: the built-in clip a fifth higher.
        try sox([builtin.appendingPathComponent("sink.exhale.flac").path, recordings.appendingPathComponent("sink.exhale.wav").path, "pitch", "700"])
        #expect(try runPsoas(["voice", "import", "anna", recordings.path], environment: environment).status == 0)
        let short = sessionFixture("short.yaml")
        let result = try runPsoas(["export", short, "--voice", "anna", "--tones", "off", "-o", "-", "--format", "raw"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("voice anna: 5 cues of short fall back to de-espeak: intro.welcome, tool.place, hold.start, hold.countdown, outro"), "\(result.stderr)")
        let rendered = floatSamples(result.stdoutData)
        let plan = try runPsoas(["plan", short, "--voice", "anna", "--json"], environment: environment)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let events = try #require(object["events"] as? [[String: Any]])
        let release = try #require(events.first { $0["cue"] as? String == "sink.exhale" })
        let start = try #require(release["start"] as? Int)
        let own = try SoundFileReader.readMono(path: folder.appendingPathComponent("psoas/voices/anna/sink.exhale.flac").path).samples
        let theirs = try SoundFileReader.readMono(path: builtin.appendingPathComponent("sink.exhale.flac").path).samples
        let length = min(own.count, theirs.count) - 480
        let withOwn = correlation(rendered[start + 240..<start + length], own[240..<length])
        let withTheirs = correlation(rendered[start + 240..<start + length], theirs[240..<length])
        #expect(withOwn > 0.99, "the pack's own clip is spoken (\(withOwn))")
        #expect(withTheirs < 0.5, "not the built-in one (\(withTheirs))")
    }

    @Test func recordingThroughALSACaptureHearsTheClipAndStopsByItself() throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let recorder = try RunningPsoas(["voice", "record", "anna", "--cue", "sink.exhale",
                                         "--device", "pulse:DEVICE=\(server.sinkName).monitor", "--tone-device", "pulse"],
                                        environment: server.environment(dataHome: folder))
        try #require(recorder.waitForError("recording: speak now"), "\(recorder.stderr)")
        let clip = builtin.appendingPathComponent("sink.exhale.flac").path
        let player = try ChildProcess("/usr/bin/paplay", [clip], environment: server.environment)
        #expect(player.wait(timeout: 10) == 0)
        #expect(recorder.wait(timeout: 10) == 0, "recording stopped by itself: \(recorder.stderr)")
        let saved = try SoundFileReader.readMono(path: folder.appendingPathComponent("psoas/voices/anna/sink.exhale.flac").path).samples
        let played = try SoundFileReader.readMono(path: clip).samples
        func similarity(_ offset: Int) -> Double {
            let start = max(0, offset)
            let length = min(saved.count - start, played.count - max(0, -offset)) - 1
            guard length > 24_000 else { return 0 }
            return correlation(saved[start..<start + length], played[max(0, -offset)..<max(0, -offset) + length])
        }
        // Coarse steps of 0.5 ms, then every sample around the best.
        let coarse = stride(from: -4_800, through: 4_800, by: 24).max { similarity($0) < similarity($1) } ?? 0
        let best = ((coarse - 24)...(coarse + 24)).map(similarity).max() ?? 0
        #expect(best >= 0.8, "the saved clip matches the played one: \(best)")
    }

    /// The keys of an interactive recording, under a pseudo-terminal: r records the cue again,
    /// Enter keeps the take, s skips a cue (also after a take that heard nothing), Enter during
    /// a take ends it, q quits. Only the kept take is saved, and the terminal is left as it was.
    @Test func recordingKeysKeepRetakeSkipAndQuitUnderAPseudoTerminal() throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let terminal = try PseudoTerminal()
        let recorder = try RunningPsoas(["voice", "record", "anna", "--missing",
                                         "--device", "pulse:DEVICE=\(server.sinkName).monitor", "--tone-device", "pulse"],
                                        environment: server.environment(dataHome: folder), standardInput: terminal.slave)
        let clip = builtin.appendingPathComponent("sink.exhale.flac").path
        let prompt = "Enter keeps it, r again, s skip, q quit."
        /// Speaks into the sink once the recorder listens for take `take`, then answers its prompt.
        func speak(take: Int, answer: String) throws {
            try #require(recorder.waitForError("recording: speak now", count: take), "take \(take): \(recorder.stderr)")
            let player = try ChildProcess("/usr/bin/paplay", [clip], environment: server.environment)
            #expect(player.wait(timeout: 10) == 0)
            try #require(recorder.waitForError(prompt, count: take), "prompt \(take): \(recorder.stderr)")
            terminal.type(answer)
        }
        try speak(take: 1, answer: "r")  // first cue, again
        try speak(take: 2, answer: "\r") // first cue, kept
        try speak(take: 3, answer: "s")  // second cue, skipped
        // Third cue: Enter ends the take before anything was said, and s skips it.
        try #require(recorder.waitForError("recording: speak now", count: 4), "\(recorder.stderr)")
        terminal.type("\r")
        try #require(recorder.waitForError("heard nothing", count: 1), "\(recorder.stderr)")
        terminal.type("s")
        // Fourth cue: nothing said again; q quits.
        try #require(recorder.waitForError("recording: speak now", count: 5), "\(recorder.stderr)")
        terminal.type("\r")
        try #require(recorder.waitForError("heard nothing", count: 2), "\(recorder.stderr)")
        terminal.type("q")
        #expect(recorder.wait(timeout: 10) == 0, "\(recorder.stderr)")
        #expect(recorder.stderr.contains("saved 1 clip in "), "\(recorder.stderr)")
        #expect(terminal.modesRestored, "terminal modes restored")

        // Four cues were offered, each once; the kept take is the first cue's, and nothing else
        // was saved.
        let offered = recorder.stderr.split(separator: "\n").filter { $0.hasPrefix("[") }
            .compactMap { $0.dropFirst().split(separator: "/").first.flatMap { Int($0) } }
        #expect(offered == [1, 2, 3, 4], "\(recorder.stderr)")
        let firstLine = recorder.stderr.split(separator: "\n").first { $0.hasPrefix("[1/") }
        let firstCue = try #require(firstLine?.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let pack = folder.appendingPathComponent("psoas/voices/anna")
        let files = try FileManager.default.contentsOfDirectory(atPath: pack.path).filter { $0.hasSuffix(".flac") }
        #expect(files == ["\(firstCue).flac"], "\(recorder.stderr)")
    }
}
