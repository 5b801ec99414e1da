import Foundation
import PsoasTestSupport
import Testing

/// A value given on the command line is a usage error (exit 64) naming the option, the value
/// and what is allowed; a value from the settings file is shown where it stands there.
@Suite struct CommandLineValueTests {
    func firstLine(_ text: String) -> String { String(text.split(separator: "\n").first ?? "") }

    @Test func aBreathPatternTheSessionCannotFitIsTheOptionsError() throws {
        let result = try runPsoas(["plan", "psoas", "--breath", "2-2"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: --breath 2-2: cue 'breath.settle' lasts "), "\(result.stderr)")
        #expect(result.stderr.hasSuffix(" but there are only 2.00 s from the exhale of cycle 4 in step 'breathe' (breath 2-2); use a longer breath or a shorter cue\n"), "\(result.stderr)")
    }

    @Test func secondsAreReadWithTheTenthsGrammarAtTheEdge() throws {
        let result = try runPsoas(["plan", "psoas-kurz", "--hold", "45.55"])
        #expect(result.status == 64)
        #expect(firstLine(result.stderr) == "error: The value '45.55' is invalid for '--hold <seconds>': expected a number of seconds with at most one decimal, like 5 or 7.5", "\(result.stderr)")
    }

    @Test func aSetValueTheSessionCannotReadIsTheOptionsError() throws {
        let result = try runPsoas(["plan", "psoas-kurz", "--set", "hold=45.55"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: --set hold=45.55: expected seconds for 'seconds' (a number ≥ 0 with at most one decimal), found '45.55' (from parameter $hold)\n")
    }

    @Test func setValuesThatLeaveAStepWithoutLengthAreTheOptionsError() throws {
        let result = try runPsoas(["plan", "atem", "--set", "minutes=0", "--set", "cycles=0"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: --set minutes=0 --set cycles=0: 'breathe' needs exactly one of 'cycles', 'minutes' or 'seconds', found none longer than 0\n")
    }

    @Test func breatheMinutesHelpAndCheckAgree() throws {
        let result = try runPsoas(["breathe", "4-6", "--minutes", "400", "-o", "/nonexistent/x.wav"])
        #expect(result.status == 64)
        #expect(firstLine(result.stderr) == "error: The value '400' is invalid for '--minutes <minutes>': expected a number of minutes from 0.1 to 360 with at most one decimal, like 5 or 7.5", "\(result.stderr)")
        let help = try runPsoas(["breathe", "pace", "--help"])
        #expect(help.stdout.contains("How many minutes, 0.1 to 360 (default 5)."), "\(help.stdout)")
    }

    @Test func aStallLimitOutsideItsRangeIsAUsageError() throws {
        for value in ["0", "3601", "2.5", "soon"] {
            let result = try runPsoas(["breathe", "4-6", "--stall-limit", value, "--device", "null"])
            #expect(result.status == 64)
            #expect(firstLine(result.stderr) == "error: The value '\(value)' is invalid for '--stall-limit <seconds>': expected a whole number from 1 to 3600", "\(result.stderr)")
        }
    }

    @Test func breatheCyclesBeyondTheSessionLimitAreTheOptionsError() throws {
        let result = try runPsoas(["breathe", "4-6", "--cycles", "10000", "-o", "/nonexistent/x.wav"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: --cycles 10000: the session would last longer than 6 hours at step 'breathe'; shorten it\n")
    }

    @Test func aSettingsValueTheSessionCannotReadIsShownInTheSettingsFile() throws {
        let folder = try makeTemporaryFolder("psoas-settings-value")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("psoas"), withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("psoas/config.yaml")
        try Data("breath: 2-2\n".utf8).write(to: file)
        let result = try runPsoas(["plan", "psoas"], environment: ["XDG_CONFIG_HOME": folder.path])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("\(file.path):1:9: error: breath: cue 'breath.settle' lasts "), "\(result.stderr)")
        #expect(result.stderr.hasSuffix("(breath 2-2); use a longer breath or a shorter cue\n 1 | breath: 2-2\n   |         ^\n"), "\(result.stderr)")
    }
}
