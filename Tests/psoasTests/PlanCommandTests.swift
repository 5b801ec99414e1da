import AudioIO
import Foundation
import PsoasTestSupport
import Testing

/// `psoas plan`, `check` and `sessions` as a user runs them: output, stderr and exit code.
@Suite struct PlanCommandTests {
    @Test func planTableOfTheBuiltInSessionMatchesItsSnapshot() throws {
        let result = try runPsoas(["plan", "psoas"])
        #expect(result.status == 0, "\(result.stderr)")
        try expectSnapshot(result.stdout, named: "psoas.plan.txt")
    }

    @Test func planJSONOfTheBuiltInSessionMatchesItsSnapshot() throws {
        let result = try runPsoas(["plan", "psoas", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        try expectSnapshot(result.stdout, named: "psoas.plan.json")
    }

    @Test func planJSONIsValidJSONWithTheDesignedFields() throws {
        let result = try runPsoas(["plan", "--json", "--hold", "45", "--sides", "left", "--rate", "44100"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["session"] as? String == "psoas")
        #expect(object["sampleRate"] as? Int == 44_100)
        #expect(object["channels"] as? Int == 1)
        let events = try #require(object["events"] as? [[String: Any]])
        let frames = try #require(object["frames"] as? Int)
        #expect(events.allSatisfy { ($0["end"] as? Int ?? .max) <= frames })
        let starts = events.compactMap { $0["start"] as? Int }
        #expect(starts == starts.sorted())
        let holds = events.filter { $0["type"] as? String == "hold" }
        #expect(holds.count == 1, "--sides left holds one side")
        #expect(holds.first?["seconds"] as? Int == 45)
        let voices = events.filter { $0["type"] as? String == "voice" }
        #expect(voices.allSatisfy { ($0["text"] as? String)?.isEmpty == false && $0["cue"] != nil && $0["anchor"] != nil })
    }

    @Test func planSVGWritesAPicture() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psoas-svg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("plan.svg").path
        let result = try runPsoas(["plan", "psoas", "--svg", path])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("Halten (links)"))
        #expect(svg.contains("hold 60 s"))
        #expect(svg.contains("sink.exhale"))
    }

    @Test func planSVGIntoAMissingFolderExits73() throws {
        let result = try runPsoas(["plan", "psoas", "--svg", "/nonexistent-folder/plan.svg"])
        #expect(result.status == 73)
        #expect(result.stderr.contains("cannot create /nonexistent-folder/plan.svg"))
    }

    @Test func outOfRangeHoldIsAUsageErrorNamingTheRange() throws {
        let result = try runPsoas(["plan", "psoas", "--hold", "120"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: --hold: 120 is out of range: hold must be between 30 and 90 s\n")
    }

    @Test func badBreathOptionIsAUsageError() throws {
        let result = try runPsoas(["plan", "psoas", "--breath", "4-x"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("'--breath <pattern>': 'x' in '4-x' is not a number of seconds"), "\(result.stderr)")
    }

    @Test func unknownSetParameterIsAUsageError() throws {
        let result = try runPsoas(["plan", "psoas", "--set", "tempo=3"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: --set tempo: this session has no parameter 'tempo'; its parameters are: level, hold, reps, sides, rest\n")
    }

    @Test func missingSessionExits66() throws {
        let result = try runPsoas(["plan", "no-such-session"])
        #expect(result.status == 66)
        #expect(result.stderr == "error: no built-in session 'no-such-session' (atem, psoas, psoas-kurz, ruhelage, uebungen)\n")
    }

    @Test func checkAcceptsTheBuiltInSession() throws {
        let result = try runPsoas(["check", repositoryRoot.appendingPathComponent("Audio/sessions/psoas.yaml").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(": ok (psoas, "))
    }

    @Test func checkOfAMissingFileExits66() throws {
        let result = try runPsoas(["check", "/nonexistent/session.yaml"])
        #expect(result.status == 66)
        #expect(result.stderr == "error: /nonexistent/session.yaml: no such file\n")
    }

    /// The length of a built-in clip as the planner prints it (`1.87 s`).
    func clipSeconds(_ cue: String) throws -> String {
        let info = try SoundFileInfo.read(path: repositoryRoot.appendingPathComponent("Audio/voices/de-espeak/\(cue).flac").path)
        let hundredths = (info.frameCount(at: 48_000) * 100 + 24_000) / 48_000
        return String(format: "%d.%02d s", hundredths / 100, hundredths % 100)
    }

    @Test func checkReportsACueTooLongForItsPhase() throws {
        let result = try runPsoas(["check", "Tests/psoasTests/Sessions/cue-too-long.yaml"], currentDirectory: repositoryRoot.path)
        #expect(result.status == 65)
        #expect(result.stderr == """
            Tests/psoasTests/Sessions/cue-too-long.yaml:5:28: error: cue 'sink.exhale' lasts \(try clipSeconds("sink.exhale")) but there are only 1.50 s from the exhale of cycle 1 in step 'sink' (breath 4-1.5); use a longer breath or a shorter cue
             5 |   - sink: {cycles: 2, say: sink.exhale, breath: 4-1.5}
               |                            ^

            """)
    }

    @Test func checkReportsOverlappingCues() throws {
        let result = try runPsoas(["check", "Tests/psoasTests/Sessions/overlap.yaml"], currentDirectory: repositoryRoot.path)
        #expect(result.status == 65)
        #expect(result.stderr == """
            Tests/psoasTests/Sessions/overlap.yaml:8:17: error: cue 'hold.push' in step 'hold' overlaps cue 'hold.start' of step 'hold' by \(try clipSeconds("hold.start")); two voice cues never overlap
             8 |         - {say: hold.push, at: exhale}
               |                 ^

            """)
    }

    @Test func aDashReadsTheSessionFromStandardInput() throws {
        let bad = try Data(contentsOf: URL(fileURLWithPath: sessionFixture("bad-cues.yaml")))
        let checked = try runPsoas(["check", "-"], standardInput: bad)
        #expect(checked.status == 65)
        let manifest = repositoryRoot.appendingPathComponent("Audio/cues/de.yaml").path
        #expect(checked.stderr.hasPrefix("""
            <stdin>:8:17: error: unknown cue 'nope.one'; it is not in the cue manifest \(manifest)
             8 |         - {say: nope.one, at: exhale}
               |                 ^

            """), "\(checked.stderr)")

        let good = try Data(contentsOf: URL(fileURLWithPath: sessionFixture("short.yaml")))
        let fine = try runPsoas(["check", "-"], standardInput: good)
        #expect(fine.status == 0, "\(fine.stderr)")
        #expect(fine.stderr.hasPrefix("-: ok (short, "), "\(fine.stderr)")

        let fromFile = try runPsoas(["plan", sessionFixture("short.yaml"), "--json"])
        let planned = try runPsoas(["plan", "-", "--json"], standardInput: good)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout == fromFile.stdout)
        let exported = try runPsoas(["export", "-", "-o", "-", "--format", "raw"], standardInput: good)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdoutData == (try runPsoas(["export", sessionFixture("short.yaml"), "-o", "-", "--format", "raw"])).stdoutData)
    }

    @Test func checkReportsEveryProblemOfACuesList() throws {
        let result = try runPsoas(["check", "Tests/psoasTests/Sessions/bad-cues.yaml"], currentDirectory: repositoryRoot.path)
        #expect(result.status == 65)
        let manifest = repositoryRoot.appendingPathComponent("Audio/cues/de.yaml").path
        #expect(result.stderr == """
            Tests/psoasTests/Sessions/bad-cues.yaml:8:17: error: unknown cue 'nope.one'; it is not in the cue manifest \(manifest)
             8 |         - {say: nope.one, at: exhale}
               |                 ^
            Tests/psoasTests/Sessions/bad-cues.yaml:9:36: error: expected inhale or exhale for 'at', found 'sideways'
             9 |         - {say: breath.settle, at: sideways}
               |                                    ^
            Tests/psoasTests/Sessions/bad-cues.yaml:10:17: error: unknown cue 'nope.two'; it is not in the cue manifest \(manifest)
             10 |         - {say: nope.two, at: inhale}
                |                 ^

            """)
    }

    @Test func checkReportsEveryFileAndExits65WhenOneIsBad() throws {
        let result = try runPsoas(["check", "Audio/sessions/psoas.yaml", "Tests/psoasTests/Sessions/overlap.yaml"],
                                  currentDirectory: repositoryRoot.path)
        #expect(result.status == 65)
        #expect(result.stderr.contains("Audio/sessions/psoas.yaml: ok"))
        #expect(result.stderr.contains("overlap.yaml:8:17: error:"))
    }

    @Test func sessionsListsTheBuiltInSessionWithItsDuration() throws {
        let result = try runPsoas(["sessions"])
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try runPsoas(["plan", "psoas", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let frames = try #require(object["frames"] as? Int)
        let seconds = (frames + 24_000) / 48_000
        let clock = String(format: "%d:%02d", seconds / 60, seconds % 60)
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("psoas ") }
        let columns = line?.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(columns == ["psoas", "Psoas-Selbstmassage", clock], "\(result.stdout)")
    }

    /// Lengths read as people write them: `7:28`, `1:02:05`, never `0:30.00 min`.
    @Test func lengthsReadAsPeopleWriteThem() throws {
        let folder = try makeTemporaryFolder("psoas-lengths")
        defer { try? FileManager.default.removeItem(at: folder) }
        let short = try runPsoas(["breathe", "4-6", "--cycles", "3", "-o", "/dev/null", "--format", "raw"])
        #expect(short.stderr == "wrote /dev/null: Atmen 4-6, 0:30, raw 48000 Hz\n", "\(short.stderr)")
        let svg = folder.appendingPathComponent("hour.svg").path
        let hour = try runPsoas(["plan", "atem", "--set", "minutes=60", "--svg", svg])
        #expect(hour.status == 0, "\(hour.stderr)")
        let json = try runPsoas(["plan", "atem", "--set", "minutes=60", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let seconds = (try #require(object["frames"] as? Int) + 24_000) / 48_000
        let clock = String(format: "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        #expect(clock.hasPrefix("1:0"))
        #expect(hour.stderr == "wrote \(svg): Atmen, \(clock)\n", "\(hour.stderr)")
    }
}
