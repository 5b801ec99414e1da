import Foundation
import PsoasTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `psoas breathe calibrate`: keys typed into a pseudo-terminal at scripted moments, the
/// figures they give, and what `--save` does to the settings file.
@Suite struct BreatheCalibrateTests {
    /// A folder for one test: the settings under `config/psoas/`, the control socket, the guidance's raw audio.
    struct Place {
        let folder: URL
        var settings: URL { folder.appendingPathComponent("config/psoas/config.yaml") }
        var raw: String { folder.appendingPathComponent("guidance.raw").path }
        var environment: [String: String] {
            ["XDG_CONFIG_HOME": folder.appendingPathComponent("config").path, "XDG_RUNTIME_DIR": folder.path,
             "HOME": folder.path, "XDG_DATA_HOME": folder.appendingPathComponent("data").path]
        }

        init(settings text: String?) throws {
            folder = try makeTemporaryFolder("psoas-calibrate")
            if let text {
                try FileManager.default.createDirectory(at: settings.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: settings)
            }
        }

        func start(_ arguments: [String], terminal: PseudoTerminal) throws -> RunningPsoas {
            try RunningPsoas(["breathe", "calibrate", "--device", "file:FILE=\"\(raw)\",FORMAT=raw"] + arguments,
                             environment: environment, standardInput: terminal.slave)
        }

        func settingsText() throws -> String { try String(contentsOf: settings, encoding: .utf8) }
    }

    /// Types each key at its moment, in seconds from now.
    func type(_ script: [(seconds: Double, key: String)], into terminal: PseudoTerminal) {
        let start = Date()
        for (seconds, key) in script {
            let wait = start.addingTimeInterval(seconds).timeIntervalSinceNow
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            terminal.type(key)
        }
    }

    /// Six breaths of 1 s in, 1 s out and a 0.5 s pause (Enter), then the inhale that ends the last.
    static let breathing: [(seconds: Double, key: String)] = (0..<6).flatMap { breath -> [(seconds: Double, key: String)] in
        let start = Double(breath) * 2.5
        return [(start, " "), (start + 1, " "), (start + 2, "\r")]
    } + [(15, " ")]

    @Test func scriptedBreathsGiveTheirFiguresAndSaveChangesOnlyTheBreathLine() throws {
        let place = try Place(settings: "# mine\nvoice: de-espeak\nbreath: 4-6   # the old one\nmpris: false\n")
        defer { try? FileManager.default.removeItem(at: place.folder) }
        let terminal = try PseudoTerminal()
        let calibrate = try place.start(["--seconds", "17", "--json", "--save"], terminal: terminal)
        try #require(calibrate.waitForError("Mark now, for 17 s"), "\(calibrate.stderr)")
        type(Self.breathing, into: terminal)
        #expect(calibrate.wait(timeout: TimeLimit.allowing(15)) == 0, "\(calibrate.stderr)")
        #expect(terminal.modesRestored, "terminal modes restored")

        let line = try #require(calibrate.lines.last?.text, "\(calibrate.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        #expect(result["breaths"] as? Int == 6, "\(line)")
        let natural = try #require(result["natural"] as? [String: Any], "\(line)")
        let mean = try #require(natural["mean"] as? [String: Double], "\(line)")
        for (phase, seconds) in ["inhale": 1.0, "holdIn": 0, "exhale": 1.0, "holdOut": 0.5] {
            #expect(abs((mean[phase] ?? -1) - seconds) <= 0.1, "\(phase): \(line)")
        }
        #expect(abs((natural["breathsPerMinute"] as? Double ?? 0) - 24) <= 1, "\(line)")
        #expect((natural["variation"] as? Double ?? 1) <= 0.1, "\(line)")
        let suggested = try #require(result["suggested"] as? [String: Any], "\(line)")
        let cycle = try #require(suggested["cycleSeconds"] as? Double, "\(line)")
        #expect(cycle >= 2.5 - 0.1 && cycle <= 2.5 * 1.1 + 0.5, "\(line)")
        #expect(result["saved"] as? Bool == true, "\(line)")
        let pattern = try #require(suggested["pattern"] as? String, "\(line)")
        #expect(pattern.split(separator: "-").count == 4, "the marked pause is kept: \(pattern)")

        #expect(try place.settingsText() == "# mine\nvoice: de-espeak\nbreath: \(pattern)   # the old one\nmpris: false\n")
        #expect(calibrate.stderr.contains("Your breath (6 breaths): in 1"), "\(calibrate.stderr)")
        #expect(calibrate.stderr.contains("Saved breath: \(pattern) in \(place.settings.path)."), "\(calibrate.stderr)")
        // The ending was spoken through ALSA (its own play, after the guidance's): 4.77 s of 48 kHz mono.
        let spoken = (try? FileManager.default.attributesOfItem(atPath: place.raw)[.size] as? Int) ?? 0
        #expect(spoken >= 4 * 48_000 * 2, "\(spoken) bytes")
    }

    @Test func qEndsTheMarkingEarlyAndSaveCreatesTheSettingsFile() throws {
        let place = try Place(settings: nil)
        defer { try? FileManager.default.removeItem(at: place.folder) }
        let terminal = try PseudoTerminal()
        let calibrate = try place.start(["--seconds", "300", "--json", "--save"], terminal: terminal)
        try #require(calibrate.waitForError("Mark now, for 300 s"), "\(calibrate.stderr)")
        // Five breaths of 0.9 s in and 1.3 s out, the inhale that ends the last, then q.
        let script = (0...5).flatMap { breath -> [(seconds: Double, key: String)] in
            [(Double(breath) * 2.2, " "), (Double(breath) * 2.2 + 0.9, " ")]
        }
        type(Array(script.dropLast()) + [(11.3, "q")], into: terminal)
        #expect(calibrate.wait(timeout: TimeLimit.allowing(10)) == 0, "\(calibrate.stderr)")
        let line = try #require(calibrate.lines.last?.text, "\(calibrate.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        #expect(result["breaths"] as? Int == 5, "\(line)")
        let natural = try #require(result["natural"] as? [String: Any], "\(line)")
        #expect(abs((natural["cycleSeconds"] as? Double ?? 0) - 2.2) <= 0.1, "\(line)")
        let pattern = try #require((result["suggested"] as? [String: Any])?["pattern"] as? String, "\(line)")
        #expect(try place.settingsText() == "breath: \(pattern)\n")
        #expect(calibrate.stderr.contains("Saved breath: \(pattern) in \(place.settings.path)."), "\(calibrate.stderr)")
        #expect(terminal.modesRestored, "terminal modes restored")
    }

    @Test func tooFewBreathsSaveNothingAndSaySo() throws {
        let settings = "breath: 4-6\n"
        let place = try Place(settings: settings)
        defer { try? FileManager.default.removeItem(at: place.folder) }
        let terminal = try PseudoTerminal()
        let calibrate = try place.start(["--seconds", "30", "--save", "--json"], terminal: terminal)
        try #require(calibrate.waitForError("Mark now"), "\(calibrate.stderr)")
        type([(0, " "), (0.6, " "), (1.2, " "), (1.8, " "), (2.4, " "), (2.6, "q")], into: terminal)
        #expect(calibrate.wait(timeout: TimeLimit.allowing(10)) == 65, "\(calibrate.stderr)")
        #expect(calibrate.stderr.contains("error: only 2 full breaths marked; at least 5 are needed\nNothing was saved."),
                "\(calibrate.stderr)")
        #expect(calibrate.lines.isEmpty)
        #expect(try place.settingsText() == settings)
        #expect(terminal.modesRestored, "terminal modes restored")
    }

    @Test func ctrlCDuringTheMarkingSavesNothingAndRestoresTheTerminal() throws {
        let settings = "breath: 4-6\n"
        let place = try Place(settings: settings)
        defer { try? FileManager.default.removeItem(at: place.folder) }
        let terminal = try PseudoTerminal()
        let calibrate = try place.start(["--save"], terminal: terminal)
        try #require(calibrate.waitForError("Mark now"), "\(calibrate.stderr)")
        type([(0, " "), (0.5, " "), (1, " ")], into: terminal)
        calibrate.signal(SIGINT)
        #expect(calibrate.wait(timeout: TimeLimit.allowing(10)) == 130, "\(calibrate.stderr)")
        #expect(terminal.modesRestored, "terminal modes restored")
        #expect(try place.settingsText() == settings)
        #expect(!calibrate.stderr.contains("Your breath"), "\(calibrate.stderr)")
    }

    @Test func aSettingsFileSaveCannotEditIsRefusedBeforeTheGuidance() throws {
        let settings = "voice: de-espeak\nbreath:\n  4-6\n"
        let place = try Place(settings: settings)
        defer { try? FileManager.default.removeItem(at: place.folder) }
        let terminal = try PseudoTerminal()
        let calibrate = try place.start(["--save"], terminal: terminal)
        #expect(calibrate.wait(timeout: TimeLimit.allowing(10)) == 65, "\(calibrate.stderr)")
        #expect(calibrate.stderr.hasPrefix("\(place.settings.path):3:3: error: cannot set 'breath' here without touching the rest"),
                "\(calibrate.stderr)")
        #expect(!calibrate.stderr.contains("Mark now"))
        #expect(try place.settingsText() == settings)
    }

    @Test func withoutATerminalItAsksForOne() throws {
        let result = try runPsoas(["breathe", "calibrate"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: breathe calibrate reads your marks from the keys: run it in a terminal\n")
    }

    @Test func breatheHelpOffersPacingByDefaultAndCalibrate() throws {
        let help = try runPsoas(["breathe", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("pace (default)"), "\(help.stdout)")
        #expect(help.stdout.contains("calibrate"), "\(help.stdout)")
        let calibrate = try runPsoas(["breathe", "calibrate", "--help"])
        #expect(calibrate.stdout.contains("Space when an inhale starts"), "\(calibrate.stdout)")
        #expect(calibrate.stdout.contains("At least 5 full breaths"), "\(calibrate.stdout)")
        #expect(try runPsoas(["breathe", "calibrate", "--seconds", "5"]).status == 64)
    }
}
