import Foundation
import PsoasTestSupport
import Testing

/// Notices (`--quiet`) and the export progress line (a terminal only).
@Suite struct NoticeTests {
    let short = sessionFixture("short.yaml")
    let builtin = repositoryRoot.appendingPathComponent("Audio/voices/de-espeak")

    func temporaryFolder() throws -> URL { try makeTemporaryFolder("psoas-notice") }

    /// A data and a settings folder whose settings choose `voice: anna`, a pack of one clip.
    func withPartialVoice(_ folder: URL) throws -> [String: String] {
        let environment = ["XDG_DATA_HOME": folder.appendingPathComponent("data").path,
                           "XDG_CONFIG_HOME": folder.appendingPathComponent("config").path]
        let recordings = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: builtin.appendingPathComponent("sink.exhale.flac"),
                                         to: recordings.appendingPathComponent("sink.exhale.flac"))
        let imported = try runPsoas(["voice", "import", "anna", recordings.path], environment: environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        let settings = folder.appendingPathComponent("config/psoas")
        try FileManager.default.createDirectory(at: settings, withIntermediateDirectories: true)
        try Data("voice: anna\n".utf8).write(to: settings.appendingPathComponent("config.yaml"))
        return environment
    }

    @Test func quietSilencesTheFallBackNotices() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try withPartialVoice(folder)
        let loud = try runPsoas(["sessions"], environment: environment)
        #expect(loud.status == 0, "\(loud.stderr)")
        #expect(loud.stderr.contains("voice anna: "), "\(loud.stderr)")
        #expect(loud.stderr.contains(" fall back to de-espeak: "), "\(loud.stderr)")
        for flag in ["--quiet", "-q"] {
            let quiet = try runPsoas(["sessions", flag], environment: environment)
            #expect(quiet.status == 0, "\(quiet.stderr)")
            #expect(quiet.stderr == "", "\(flag): \(quiet.stderr)")
            #expect(quiet.stdout == loud.stdout)
        }
        let path = folder.appendingPathComponent("out.wav").path
        let export = try runPsoas(["export", short, "-o", path, "--quiet"], environment: environment)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr == "", "no fall-back notice and no 'wrote' line: \(export.stderr)")
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func quietKeepsErrors() throws {
        let result = try runPsoas(["export", short, "--quiet", "-o", "/no/such/folder/out.wav"])
        #expect(result.status == 73)
        #expect(result.stderr == "error: cannot create /no/such/folder/out.wav: /no/such/folder does not exist\n")
    }

    @Test func exportShowsProgressOnATerminalOnly() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.wav").path

        let terminal = try PseudoTerminal()
        let export = try RunningPsoas(["export", short, "-o", path], standardError: terminal.slave)
        let shown = terminal.read(timeout: TimeLimit.allowing(30), until: "wrote ")
        #expect(export.wait(timeout: TimeLimit.allowing(30)) == 0)
        #expect(shown.contains("\r\u{1B}[Kwriting \(path): "), "\(shown.debugDescription)")
        #expect(shown.contains("writing \(path): 100 %"), "\(shown.debugDescription)")
        #expect(shown.contains("\r\u{1B}[Kwrote \(path): "), "the progress line is cleared: \(shown.debugDescription)")

        let quietTerminal = try PseudoTerminal()
        let quiet = try RunningPsoas(["export", short, "-o", path, "--quiet"], standardError: quietTerminal.slave)
        #expect(quiet.wait(timeout: TimeLimit.allowing(30)) == 0)
        #expect(quietTerminal.read(timeout: 0.5) == "", "--quiet: no progress on a terminal either")

        let piped = try runPsoas(["export", short, "-o", path])
        #expect(piped.status == 0)
        #expect(piped.stderr.hasPrefix("wrote \(path): "), "\(piped.stderr)")
        #expect(!piped.stderr.contains("%") && !piped.stderr.contains("\r"), "no progress into a pipe: \(piped.stderr)")
    }

    @Test func quietSilencesBreatheAndVoiceImport() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("x.wav").path
        let loud = try runPsoas(["breathe", "4-6", "--cycles", "1", "-o", path])
        #expect(loud.status == 0, "\(loud.stderr)")
        #expect(loud.stderr.hasPrefix("wrote \(path): "), "\(loud.stderr)")
        for flag in ["--quiet", "-q"] {
            let quiet = try runPsoas(["breathe", "4-6", "--cycles", "1", "-o", path, flag])
            #expect(quiet.status == 0, "\(quiet.stderr)")
            #expect(quiet.stderr == "", "\(flag): \(quiet.stderr)")
        }

        let recordings = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: builtin.appendingPathComponent("outro.flac"),
                                         to: recordings.appendingPathComponent("outro.flac"))
        let environment = ["XDG_DATA_HOME": folder.appendingPathComponent("data").path]
        let imported = try runPsoas(["voice", "import", "anna", recordings.path], environment: environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.hasPrefix("imported 1 clip into anna "), "\(imported.stderr)")
        let quiet = try runPsoas(["voice", "import", "anna", recordings.path, "--quiet"], environment: environment)
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stderr == "", "\(quiet.stderr)")

        for command in [["config"], ["voice", "record", "anna", "--cue", "outro"]] {
            let help = try runPsoas(command + ["--help"])
            #expect(help.stdout.contains("-q, --quiet"), "\(command): \(help.stdout)")
        }
    }

    @Test func voiceImportShowsProgressOnATerminalOnly() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let recordings = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        for cue in ["intro.welcome", "outro"] {
            let status = try runSox([builtin.appendingPathComponent("\(cue).flac").path, "-r", "44100", "-c", "2",
                                     recordings.appendingPathComponent("\(cue).wav").path, "pad", "0.5", "0.5"])
            #expect(status == 0, "sox \(cue)")
        }
        let environment = ["XDG_DATA_HOME": folder.appendingPathComponent("data").path]

        let terminal = try PseudoTerminal()
        let running = try RunningPsoas(["voice", "import", "anna", recordings.path], environment: environment,
                                       standardError: terminal.slave)
        let shown = terminal.read(timeout: TimeLimit.allowing(30), until: "imported ")
        #expect(running.wait(timeout: TimeLimit.allowing(30)) == 0)
        #expect(shown.contains("\r\u{1B}[Kimporting 1/2: intro.welcome"), "\(shown.debugDescription)")
        #expect(shown.contains("\r\u{1B}[Kimporting 2/2: outro"), "\(shown.debugDescription)")
        #expect(shown.contains("\r\u{1B}[Kimported 2 clips into anna "), "the progress line is cleared: \(shown.debugDescription)")

        let quietTerminal = try PseudoTerminal()
        let quiet = try RunningPsoas(["voice", "import", "anna", recordings.path, "--quiet"], environment: environment,
                                     standardError: quietTerminal.slave)
        #expect(quiet.wait(timeout: TimeLimit.allowing(30)) == 0)
        #expect(quietTerminal.read(timeout: 0.5) == "", "--quiet: no progress on a terminal either")

        let piped = try runPsoas(["voice", "import", "anna", recordings.path], environment: environment)
        #expect(piped.status == 0)
        #expect(piped.stderr.hasPrefix("imported 2 clips into anna "), "\(piped.stderr)")
        #expect(!piped.stderr.contains("importing") && !piped.stderr.contains("\r"), "no progress into a pipe: \(piped.stderr)")
    }
}
