import Foundation
import PsoasTestSupport
import Testing

/// `~/.config/psoas/config.yaml`: the user's defaults for play, export, plan, breathe and
/// sessions; the command line and `$PSOAS_DEVICE` win over them.
@Suite struct SettingsCommandTests {
    /// A folder with `config/psoas/config.yaml` holding `yaml`, and the environment that uses it.
    func withSettings(_ yaml: String, _ body: (URL, [String: String]) throws -> Void) throws {
        let folder = try makeTemporaryFolder("psoas-settings")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config/psoas")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: config.appendingPathComponent("config.yaml"))
        try body(folder, ["XDG_CONFIG_HOME": folder.path + "/config", "XDG_DATA_HOME": folder.path + "/data",
                          "XDG_RUNTIME_DIR": folder.path])
    }

    func plan(_ arguments: [String], _ environment: [String: String] = [:]) throws -> String {
        let result = try runPsoas(["plan"] + arguments + ["--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func settingsPlanTheSessionAsTheSameOptionsWould() throws {
        try withSettings("tones: bell\nbreath: 5-7\nparameters:\n  level: beginner\n  hold: 45\n  nobody-has-this: 1\n") { _, environment in
            let withSettings = try plan(["psoas"], environment)
            let withOptions = try plan(["psoas", "--tones", "bell", "--breath", "5-7", "--level", "beginner", "--hold", "45"])
            #expect(withSettings == withOptions)
            #expect(withSettings != (try plan(["psoas"])))
            // A session without 'level' or 'hold' takes only the breath.
            #expect(try plan(["atem"], environment) == (try plan(["atem", "--breath", "5-7", "--tones", "bell"])))
        }
    }

    @Test func theCommandLineWins() throws {
        try withSettings("tones: bell\nparameters:\n  hold: 100\n") { _, environment in
            // The settings' hold is out of range, but the command line sets it: no problem.
            let expected = try plan(["psoas", "--hold", "70"])
            let withOption = try plan(["psoas", "--hold", "70", "--tones", "glide"], environment)
            let withSet = try plan(["psoas", "--set", "hold=70", "--tones", "glide"], environment)
            #expect(withOption == expected)
            #expect(withSet == expected)
        }
    }

    @Test func aValueTheSessionRefusesIsShownInTheSettingsFile() throws {
        try withSettings("parameters:\n  hold: 100\n") { folder, environment in
            let result = try runPsoas(["export", "psoas", "-o", folder.path + "/out.wav"], environment: environment)
            #expect(result.status == 65)
            #expect(result.stderr == """
                \(folder.path)/config/psoas/config.yaml:2:9: error: parameter 'hold': 100 is out of range: hold must be between 30 and 90 s
                 2 |   hold: 100
                   |         ^

                """)
            #expect(!FileManager.default.fileExists(atPath: folder.path + "/out.wav"))
        }
    }

    @Test func aBrokenSettingsFileStopsEveryCommandThatUsesIt() throws {
        try withSettings("tones: loud\n") { folder, environment in
            for arguments in [["plan", "psoas"], ["export", "psoas", "-o", folder.path + "/out.wav"], ["sessions"],
                              ["play", "psoas", "--device", "null"], ["breathe", "4-6", "--cycles", "1"], ["config"]] {
                let result = try runPsoas(arguments, environment: environment)
                #expect(result.status == 65, "\(arguments)")
                #expect(result.stderr.hasPrefix("\(folder.path)/config/psoas/config.yaml:1:8: error: 'loud' is not a tone style"), "\(arguments): \(result.stderr)")
            }
        }
    }

    @Test func theVoiceComesFromTheSettings() throws {
        try withSettings("voice: nobody\n") { _, environment in
            let result = try runPsoas(["plan", "psoas"], environment: environment)
            #expect(result.status == 66)
            #expect(result.stderr.hasPrefix("error: no voice pack 'nobody'"), "\(result.stderr)")
            #expect(try runPsoas(["plan", "psoas", "--voice", "de-espeak"], environment: environment).status == 0)
        }
    }

    /// The settings' device plays; `$PSOAS_DEVICE` and `--device` win over it. The log keeps the
    /// settings' tones.
    @Test func theDeviceComesFromTheSettingsUnlessTheEnvironmentOrTheOptionNamesOne() throws {
        let folder = try makeTemporaryFolder("psoas-settings-device")
        defer { try? FileManager.default.removeItem(at: folder) }
        func device(_ name: String) -> String { "file:FILE=\"\(folder.path)/\(name).raw\",FORMAT=raw" }
        try withSettings("tones: bell\ndevice: '\(device("settings"))'\n") { _, environment in
            let ten = sessionFixture("ten.yaml")
            #expect(try runPsoas(["play", ten, "--no-wait"], environment: environment).status == 0)
            var withVariable = environment
            withVariable["PSOAS_DEVICE"] = device("variable")
            #expect(try runPsoas(["play", ten, "--no-wait"], environment: withVariable).status == 0)
            #expect(try runPsoas(["play", ten, "--no-wait", "--device", device("option")], environment: withVariable).status == 0)
            let exported = try runPsoas(["export", ten, "-o", "-", "--format", "raw", "--tones", "bell"]).stdoutData
            for name in ["settings", "variable", "option"] {
                #expect(try Data(contentsOf: folder.appendingPathComponent("\(name).raw")) == exported, "\(name)")
            }
            let log = try runPsoas(["log", "--json"], environment: environment)
            #expect(log.stdout.components(separatedBy: "\"tones\":\"bell\"").count - 1 == 3, "\(log.stdout)")
        }
    }

    @Test func devicesSaysTheChoiceCameFromTheSettings() throws {
        try withSettings("device: pulse\n") { _, environment in
            let result = try runPsoas(["devices"], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasSuffix("\npsoas plays on 'pulse' (from the settings' device)\n"), "\(result.stdout)")
        }
    }

    @Test func configShowsTheFileAndWhatItSets() throws {
        try withSettings("voice: anna\nparameters:\n  hold: 45\n") { folder, environment in
            let file = "\(folder.path)/config/psoas/config.yaml"
            #expect(try runPsoas(["config", "--path"], environment: environment).stdout == file + "\n")
            let audio = "Audio folder: \(repositoryRoot.appendingPathComponent("Audio").path) (the source tree psoas was built from)\n"
            #expect(try runPsoas(["config"], environment: environment).stdout == "\(file):\n  voice: anna\n  parameters:\n    hold: 45\n" + audio)
            try FileManager.default.removeItem(atPath: file)
            #expect(try runPsoas(["config"], environment: environment).stdout == "\(file): no such file; psoas uses its own defaults\n" + audio)
        }
    }

    /// `psoas config` checks the settings against the built-in sessions and packs and reports
    /// every problem in one run, each at its place.
    @Test func configReportsEveryProblemInOneRunWithItsPlace() throws {
        try withSettings("parameters:\n  colour: red\n  hold: 100\n  level: expert\nvoice: nobody\n") { folder, environment in
            let file = "\(folder.path)/config/psoas/config.yaml"
            let result = try runPsoas(["config"], environment: environment)
            #expect(result.status == 65)
            #expect(result.stderr == """
                \(file):2:3: error: parameter 'colour': no built-in session has it; they have: pattern, minutes, cycles, level, hold, reps, sides, rest
                 2 |   colour: red
                   |   ^
                \(file):3:9: error: parameter 'hold': 100 is out of range: hold must be between 30 and 90 s
                 3 |   hold: 100
                   |         ^
                \(file):4:10: error: parameter 'level': 'expert' is not one of beginner, standard, advanced
                 4 |   level: expert
                   |          ^
                \(file):5:8: error: no voice pack 'nobody': neither yours (in \(folder.path)/data/psoas/voices) nor built in; 'psoas voice list' shows them
                 5 | voice: nobody
                   |        ^

                """)
        }
    }

    @Test func everyProblemOfTheFileIsReportedInTheOrderOfTheFile() throws {
        try withSettings("breath: 4-x\ntones: loud\nambience: sea\n") { folder, environment in
            let file = "\(folder.path)/config/psoas/config.yaml"
            let result = try runPsoas(["config"], environment: environment)
            #expect(result.status == 65)
            let places = result.stderr.split(separator: "\n").filter { $0.hasPrefix(file) }.map { $0.dropFirst(file.count).prefix(5) }
            #expect(places == [":1:9:", ":2:8:", ":3:11"], "\(result.stderr)")
        }
    }
}
