import AudioIO
import Foundation
import PsoasTestSupport
import Testing

/// What a person lying on the floor hears between the cues, measured on real exports.
@Suite struct CalmSoundTests {
    /// The longest run of exact zeros in raw 16-bit `data`, leaving out its last `tail` seconds
    /// (the final fade), in seconds.
    func longestSilence(_ data: Data, tail: Double = 5) -> Double {
        Double(longestZeroRun(in: data, count: data.count / 2 - Int(tail * 48_000))) / 48_000
    }

    func export(_ arguments: [String], environment: [String: String] = [:]) throws -> Data {
        let result = try runPsoas(["export"] + arguments + ["-o", "-", "--format", "raw"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdoutData
    }

    @Test(arguments: [["psoas"], ["psoas-kurz"], ["ruhelage"], ["atem"], ["uebungen"], ["psoas", "--breath", "4-7-8"]])
    func noBuiltInSessionHasASecondOfDigitalSilenceBeforeItsEnd(arguments: [String]) throws {
        let silence = longestSilence(try export(arguments))
        #expect(silence <= 1, "\(arguments.joined(separator: " ")): \(silence) s of exact zeros")
    }

    /// Every channel of raw `data` measured with libebur128 (`channels` interleaved).
    func loudness(_ data: Data, channels: Int = 1) throws -> Loudness {
        let samples = floatSamples(data)
        var integrated = 0.0
        var peak = 0.0
        if channels == 1 {
            return try Loudness.measure(MonoAudio(samples: samples, sampleRate: 48_000))
        }
        for channel in 0..<channels {
            let one = stride(from: channel, to: samples.count, by: channels).map { samples[$0] }
            let measured = try Loudness.measure(MonoAudio(samples: one, sampleRate: 48_000))
            integrated = measured.integrated
            peak = max(peak, measured.truePeak)
        }
        // Equal channels (everything is centred): a channel's loudness plus 3 dB is the pair's.
        return Loudness(integrated: integrated + 10 * log10(Double(channels)), truePeak: peak)
    }

    @Test(arguments: [["psoas-kurz"], ["psoas-kurz", "--channels", "2"], ["uebungen", "--breath", "4-7-8"]])
    func everyExportStaysAtOrUnderMinusOneDBTP(arguments: [String]) throws {
        let channels = arguments.contains("2") ? 2 : 1
        let measured = try loudness(try export(arguments), channels: channels)
        #expect(measured.truePeakDecibels <= -1.0, "\(arguments): \(measured.truePeakDecibels) dBTP")
    }

    @Test(arguments: [("podcast", 1, -19.0), ("podcast", 2, -16.0), ("broadcast", 1, -23.0), ("none", 1, .nan)])
    func loudnessTargetsAreMetWithinHalfAnLU(target: String, channels: Int, lufs: Double) throws {
        let session = sessionFixture("thirty.yaml")
        let data = try export([session, "--loudness", target, "--channels", "\(channels)"])
        let measured = try loudness(data, channels: channels)
        if lufs.isNaN {
            let plain = try loudness(try export([session]))
            #expect(measured == plain, "none leaves the session as rendered")
        } else {
            #expect(abs(measured.integrated - lufs) <= 0.5, "\(target) \(channels) ch: \(measured.integrated) LUFS")
        }
        #expect(measured.truePeakDecibels <= -1.0, "\(target): \(measured.truePeakDecibels) dBTP")
    }

    @Test func ambienceOffLeavesTheDeadAirThatTheBedFills() throws {
        #expect(longestSilence(try export(["psoas-kurz", "--ambience", "off"])) > 5)
    }

    @Test func theSettingsChooseTheAmbienceAndABadOneIsShownInTheFile() throws {
        let folder = try makeTemporaryFolder("psoas-ambience")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("psoas")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        let file = config.appendingPathComponent("config.yaml")
        let environment = ["XDG_CONFIG_HOME": folder.path]
        try Data("ambience: rain\n".utf8).write(to: file)
        let rain = try export(["atem", "--set", "minutes=1"], environment: environment)
        #expect(rain == (try export(["atem", "--set", "minutes=1", "--ambience", "rain"])))
        #expect(rain != (try export(["atem", "--set", "minutes=1"])), "surf is the default")
        try Data("ambience: loud\n".utf8).write(to: file)
        let bad = try runPsoas(["export", "atem", "-o", "-", "--format", "raw"], environment: environment)
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("config.yaml:1:11: error: 'loud' is not an ambience; expected surf, rain or off"), "\(bad.stderr)")
    }
}
