import AudioIO
import Foundation
import PsoasTestSupport
import Testing

/// A clip too long for a breath phase it is spoken in is caught where it enters a pack (record,
/// import), by `voice check`, and when a session is planned with the pack: each time naming the
/// clip, how much too long it is, and what to do.
@Suite struct VoicePackLengthTests {
    let builtin = repositoryRoot.appendingPathComponent("Audio/voices/de-espeak")
    /// Where every built-in session speaks `sink.exhale`: on each exhale of a 4-6 breath.
    let exhaleUse = "but it must fit the 6.0 s exhale of step 'sink' in psoas (line 33)"

    /// Runs sox with `arguments`.
    func sox(_ arguments: [String]) throws {
        #expect(try runSox(arguments) == 0, "sox \(arguments)")
    }

    /// The built-in `sink.exhale` spoken slowly: about 8.5 s, for a 6 s exhale.
    func slowSinkExhale(to path: String) throws {
        let clip = builtin.appendingPathComponent("sink.exhale.flac").path
        let original = try SoundFileInfo.read(path: clip)
        let factor = Double(original.frameCount) / Double(original.sampleRate) / 8.5
        try sox([clip, path, "tempo", String(format: "%.4f", factor)])
        let info = try SoundFileInfo.read(path: path)
        #expect(Double(info.frameCount) / Double(info.sampleRate) > 8, "the slow clip lasts over 8 s")
    }

    /// A pack `anna` of the user's in `dataHome`, written directly (as an older psoas or a
    /// hand-made folder could have left it): the slow `sink.exhale` and a `hold.start` that fits.
    func partialPackWithASlowClip(dataHome: URL) throws -> URL {
        let pack = dataHome.appendingPathComponent("psoas/voices/anna")
        try FileManager.default.createDirectory(at: pack, withIntermediateDirectories: true)
        try Data("name: anna\nlanguage: de\nspeaker: \"anna\"\nloudness: -18\nformat: flac\n".utf8)
            .write(to: pack.appendingPathComponent("pack.yaml"))
        try slowSinkExhale(to: pack.appendingPathComponent("sink.exhale.flac").path)
        try FileManager.default.copyItem(at: builtin.appendingPathComponent("hold.start.flac"),
                                         to: pack.appendingPathComponent("hold.start.flac"))
        return pack
    }

    @Test func importRefusesAClipTooLongForItsExhaleAndImportsNothing() throws {
        let folder = try makeTemporaryFolder("psoas-voice")
        defer { try? FileManager.default.removeItem(at: folder) }
        let recordings = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        try slowSinkExhale(to: recordings.appendingPathComponent("sink.exhale.wav").path)
        try FileManager.default.copyItem(at: builtin.appendingPathComponent("outro.flac"),
                                         to: recordings.appendingPathComponent("outro.flac"))
        let result = try runPsoas(["voice", "import", "anna", recordings.path], environment: ["XDG_DATA_HOME": folder.path])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("error: \(recordings.path)/sink.exhale.wav: sink.exhale: 8."), "\(result.stderr)")
        #expect(result.stderr.contains(exhaleUse), "\(result.stderr)")
        #expect(result.stderr.contains(" too long"), "\(result.stderr)")
        #expect(result.stderr.contains("psoas voice record anna --cue sink.exhale"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was imported; pack 'anna' is unchanged"), "\(result.stderr)")
        #expect(!result.stderr.contains("outro.flac"), "the clip that fits is not blamed: \(result.stderr)")
        let pack = folder.appendingPathComponent("psoas/voices/anna")
        let stored = (try? FileManager.default.contentsOfDirectory(atPath: pack.path)) ?? []
        #expect(stored.filter { $0.hasSuffix(".flac") }.isEmpty, "nothing imported: \(stored)")
    }

    @Test func checkOfAPartialPackListsItsClipTooLongForItsExhale() throws {
        let folder = try makeTemporaryFolder("psoas-voice")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try partialPackWithASlowClip(dataHome: folder)
        let result = try runPsoas(["voice", "check", "anna"], environment: ["XDG_DATA_HOME": folder.path])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("missing clip: intro.welcome"), "\(result.stderr)")
        let tooLong = result.stderr.split(separator: "\n").filter { $0.hasPrefix("too long: ") }
        #expect(tooLong.count == 1, "only the slow clip: \(result.stderr)")
        #expect(tooLong.first?.hasPrefix("too long: sink.exhale: 8.") == true, "\(result.stderr)")
        #expect(tooLong.first?.contains(exhaleUse) == true, "\(result.stderr)")
    }

    @Test func planWithAPackWhoseClipIsTooLongNamesThePackTheClipAndWhatToDo() throws {
        let folder = try makeTemporaryFolder("psoas-voice")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pack = try partialPackWithASlowClip(dataHome: folder)
        let result = try runPsoas(["plan", "psoas", "--voice", "anna"], environment: ["XDG_DATA_HOME": folder.path])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("error: voice pack 'anna': \(pack.path)/sink.exhale.flac is too long"), "\(result.stderr)")
        #expect(result.stderr.contains("sink.exhale: 8."), "\(result.stderr)")
        #expect(result.stderr.contains("but it must fit the 6.0 s exhale of step 'sink' in psoas (line 33)"), "\(result.stderr)")
        #expect(result.stderr.contains("psoas voice record anna --cue sink.exhale"), "\(result.stderr)")
        #expect(result.stderr.contains("--breath"), "\(result.stderr)")
    }

    @Test func recordingATakeTooLongForItsExhaleRefusesItAndSavesNothing() throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let folder = try makeTemporaryFolder("psoas-voice")
        defer { try? FileManager.default.removeItem(at: folder) }
        // 8.4 s of steady sound: heard as speech from start to end.
        let long = folder.appendingPathComponent("long.wav").path
        try sox(["-n", "-r", "48000", "-c", "1", "-b", "16", long, "synth", "8.4", "sine", "330", "gain", "-12"])
        let recorder = try RunningPsoas(["voice", "record", "anna", "--cue", "sink.exhale",
                                         "--device", "pulse:DEVICE=\(server.sinkName).monitor", "--tone-device", "pulse"],
                                        environment: server.environment(dataHome: folder))
        try #require(recorder.waitForError("recording: speak now"), "\(recorder.stderr)")
        let player = try ChildProcess("/usr/bin/paplay", [long], environment: server.environment)
        #expect(player.wait(timeout: 20) == 0)
        #expect(recorder.wait(timeout: 10) == 65, "\(recorder.stderr)")
        #expect(recorder.stderr.contains("sink.exhale: 8."), "\(recorder.stderr)")
        #expect(recorder.stderr.contains(exhaleUse), "\(recorder.stderr)")
        #expect(recorder.stderr.contains("nothing was saved"), "\(recorder.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("psoas/voices/anna/sink.exhale.flac").path))
    }

    /// Under a terminal the too-long take is not kept: Enter does nothing, only r, s or q answer.
    @Test func aTakeTooLongForItsExhaleIsNotKeptByEnterUnderAPseudoTerminal() throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let folder = try makeTemporaryFolder("psoas-voice")
        defer { try? FileManager.default.removeItem(at: folder) }
        let long = folder.appendingPathComponent("long.wav").path
        try sox(["-n", "-r", "48000", "-c", "1", "-b", "16", long, "synth", "8.4", "sine", "330", "gain", "-12"])
        let terminal = try PseudoTerminal()
        let recorder = try RunningPsoas(["voice", "record", "anna", "--cue", "sink.exhale",
                                         "--device", "pulse:DEVICE=\(server.sinkName).monitor", "--tone-device", "pulse"],
                                        environment: server.environment(dataHome: folder), standardInput: terminal.slave)
        try #require(recorder.waitForError("recording: speak now"), "\(recorder.stderr)")
        let player = try ChildProcess("/usr/bin/paplay", [long], environment: server.environment)
        #expect(player.wait(timeout: 20) == 0)
        try #require(recorder.waitForError("r again (a little faster), s skip, q quit."), "\(recorder.stderr)")
        #expect(recorder.stderr.contains("too long: sink.exhale: 8."), "\(recorder.stderr)")
        #expect(recorder.stderr.contains(exhaleUse), "\(recorder.stderr)")
        #expect(!recorder.stderr.contains("Enter keeps it"), "\(recorder.stderr)")
        terminal.type("\r")
        Thread.sleep(forTimeInterval: 0.5)
        terminal.type("q")
        #expect(recorder.wait(timeout: 10) == 0, "\(recorder.stderr)")
        #expect(recorder.stderr.contains("saved 0 clips in "), "\(recorder.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("psoas/voices/anna/sink.exhale.flac").path))
        #expect(terminal.modesRestored, "terminal modes restored")
    }
}
