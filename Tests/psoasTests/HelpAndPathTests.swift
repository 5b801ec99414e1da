import Foundation
import PsoasTestSupport
import Testing

/// Help offers only what works, and paths on the command line mean what they look like.
@Suite struct HelpAndPathTests {
    func firstLine(_ text: String) -> String { String(text.split(separator: "\n").first ?? "") }

    @Test func breatheHelpOffersOnlyWhatWorks() throws {
        // Pacing is breathe's default subcommand: its options are in its own help.
        #expect(try runPsoas(["breathe", "--help"]).stdout.contains("'psoas breathe pace --help' lists its options"))
        let help = try runPsoas(["breathe", "pace", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("(values: glide, bell)"), "\(help.stdout)")
        #expect(!help.stdout.contains("--no-wait"), "\(help.stdout)")
        #expect(help.stdout.contains("--events <format>"), "\(help.stdout)")
        #expect(!help.stdout.contains("<json>"), "\(help.stdout)")
        let off = try runPsoas(["breathe", "4-6", "--tones", "off"])
        #expect(off.status == 64)
        #expect(firstLine(off.stderr) == "error: The value 'off' is invalid for '--tones <tones>'. Please provide one of 'glide' and 'bell'.", "\(off.stderr)")
        #expect(try runPsoas(["breathe", "4-6", "--no-wait"]).status == 64)
        #expect(try runPsoas(["play", "--help"]).stdout.contains("--no-wait"))
    }

    @Test func aFormatTheExtensionContradictsIsRefused() throws {
        let folder = try makeTemporaryFolder("psoas-format")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("x.mp3").path
        let result = try runPsoas(["export", "psoas", "-o", path, "--format", "flac"])
        #expect(result.status == 64)
        #expect(firstLine(result.stderr) == "error: -o \(path) --format flac: the file's extension says mp3; name it for flac or leave out --format", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aNameIsABuiltInSessionAndAPathIsAFile() throws {
        let folder = try makeTemporaryFolder("psoas-names")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ten = try Data(contentsOf: URL(fileURLWithPath: sessionFixture("ten.yaml")))
        try ten.write(to: folder.appendingPathComponent("atem"))
        try ten.write(to: folder.appendingPathComponent("mine"))
        let builtin = try runPsoas(["plan", "atem", "--json"])
        let shadowed = try runPsoas(["plan", "atem", "--json"], currentDirectory: folder.path)
        #expect(shadowed.status == 0, "\(shadowed.stderr)")
        #expect(shadowed.stdout == builtin.stdout)
        #expect(shadowed.stderr == "note: 'atem' is the built-in session; for the file of that name write ./atem\n")
        let file = try runPsoas(["plan", "./atem", "--json"], currentDirectory: folder.path)
        #expect(file.status == 0, "\(file.stderr)")
        #expect(file.stdout == (try runPsoas(["plan", sessionFixture("ten.yaml"), "--json"])).stdout)
        let name = try runPsoas(["plan", "mine"], currentDirectory: folder.path)
        #expect(name.status == 66)
        #expect(name.stderr == "error: no built-in session 'mine' (atem, psoas, psoas-kurz, ruhelage, uebungen); for the file of that name write ./mine\n")
    }

    @Test func aDashIsStandardOutputWhereverAPathIsTaken() throws {
        let folder = try makeTemporaryFolder("psoas-dash")
        defer { try? FileManager.default.removeItem(at: folder) }
        let svg = try runPsoas(["plan", "psoas", "--svg", "-"], currentDirectory: folder.path)
        #expect(svg.status == 0, "\(svg.stderr)")
        #expect(svg.stdout.hasPrefix("<svg"))
        #expect(svg.stderr == "")
        let wav = folder.appendingPathComponent("ten.wav").path
        let captions = try runPsoas(["export", sessionFixture("ten.yaml"), "-o", wav, "--captions", "-"], currentDirectory: folder.path)
        #expect(captions.status == 0, "\(captions.stderr)")
        #expect(captions.stdout.hasPrefix("WEBVTT"), "\(captions.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("-").path))
        let both = try runPsoas(["export", "psoas", "-o", "-", "--format", "raw", "--captions", "-"])
        #expect(both.status == 64)
        #expect(both.stderr.hasPrefix("error: -o - and --captions -: only one can go to standard output\n"), "\(both.stderr)")
    }

    @Test func checkOfAFolderSaysItIsAFolder() throws {
        let folder = try makeTemporaryFolder("psoas-check-folder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try runPsoas(["check", folder.path])
        #expect(result.status == 66)
        #expect(result.stderr == "error: \(folder.path): is a folder, not a file\n")
    }
}

/// Every problem is reported after `error: `, whoever finds it.
@Suite struct ErrorPrefixTests {
    @Test func everyErrorBeginsWithTheSamePrefix() throws {
        let folder = try makeTemporaryFolder("psoas-audio-dir")
        defer { try? FileManager.default.removeItem(at: folder) }
        let audio = try runPsoas(["sessions"], environment: ["PSOAS_AUDIO_DIR": folder.path])
        #expect(audio.status == 66)
        #expect(audio.stderr == "error: PSOAS_AUDIO_DIR=\(folder.path) has no sessions/ folder\n")
        let parse = try runPsoas(["plan", "--rate", "22050"])
        #expect(parse.status == 64)
        #expect(parse.stderr.hasPrefix("error: --rate 22050: expected 44100, 48000 or 96000\n"), "\(parse.stderr)")
        let unknown = try runPsoas(["plan", "--colour", "red"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.hasPrefix("error: Unknown option '--colour'"), "\(unknown.stderr)")
    }
}

/// The Audio folder: `$PSOAS_AUDIO_DIR`, else `../share/psoas` beside the executable, else the
/// source tree psoas was built from; never the current folder, however psoas was started.
@Suite struct AudioFolderTests {
    /// Runs `psoas ARGUMENTS` as a shell started from `PATH` does (argv[0] is just `psoas`).
    func runFromPath(_ arguments: String, bin: String, in folder: URL) throws -> (stdout: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "psoas \(arguments)"]
        var environment = ProcessInfo.processInfo.environment.merging(psoasEnvironment([:])) { _, new in new }
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["PSOAS_AUDIO_DIR"] = nil
        process.environment = environment
        process.currentDirectoryURL = folder
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    @Test func theAudioFolderIsNeverTheCurrentFolder() throws {
        let folder = try makeTemporaryFolder("psoas-installed")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A folder of the user's with an Audio/sessions/ of its own.
        let work = folder.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("Audio/sessions"), withIntermediateDirectories: true)
        try Data(contentsOf: URL(fileURLWithPath: sessionFixture("ten.yaml")))
            .write(to: work.appendingPathComponent("Audio/sessions/ten.yaml"))

        let built = try runFromPath("sessions", bin: psoasExecutable.deletingLastPathComponent().path, in: work)
        #expect(built.status == 0)
        #expect(built.stdout.contains("\npsoas "), "\(built.stdout)")
        #expect(!built.stdout.contains("\nten "), "\(built.stdout)")
        let builtConfig = try runFromPath("config", bin: psoasExecutable.deletingLastPathComponent().path, in: work)
        #expect(builtConfig.stdout.hasSuffix("Audio folder: \(repositoryRoot.appendingPathComponent("Audio").path) (the source tree psoas was built from)\n"), "\(builtConfig.stdout)")

        // An installed copy: bin/psoas with share/psoas beside it.
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: psoasExecutable, to: bin.appendingPathComponent("psoas"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("share"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("share/psoas"),
                                                   withDestinationURL: repositoryRoot.appendingPathComponent("Audio"))
        let installed = try runFromPath("config", bin: bin.path, in: work)
        #expect(installed.status == 0)
        #expect(installed.stdout.hasSuffix("Audio folder: \(folder.path)/share/psoas (installed beside \(bin.path)/psoas)\n"), "\(installed.stdout)")
        #expect(try runFromPath("sessions", bin: bin.path, in: work).stdout.contains("\npsoas "))
    }
}
