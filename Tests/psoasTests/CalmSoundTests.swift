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

    /// In an export the countdown's words start 0, 1 and 2 s after the cue's planned frame (the
    /// tones and the bed off, so that only the voice is measured).
    @Test func theCountdownLandsOnWholeSecondsInAnExport() throws {
        let arguments = ["psoas-kurz", "--tones", "off", "--ambience", "off"]
        let plan = try runPsoas(["plan", "--json"] + arguments)
        #expect(plan.status == 0, "\(plan.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let events = try #require(object["events"] as? [[String: Any]])
        let countdowns = events.filter { $0["cue"] as? String == "hold.countdown" }
        #expect(countdowns.count == 2, "one hold a side")
        let data = try export(arguments)
        let samples = floatSamples(data)
        let lead = 9_600
        for countdown in countdowns {
            let start = try #require(countdown["start"] as? Int)
            let end = try #require(countdown["end"] as? Int)
            let onsets = soundOnsets(samples[start - lead..<end], rate: 48_000).map { $0 - Double(lead) / 48_000 }
            #expect(onsets.count == 3, "countdown at \(start): onsets \(onsets) s after the cue's start")
            for (second, onset) in onsets.enumerated() {
                #expect(abs(onset - Double(second)) <= 0.020, "countdown at \(start): onsets \(onsets) s after its start")
            }
        }
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

/// A cue that follows a long quiet stretch enters after a soft chime.
@Suite struct CalmSoundChimeTests {
    func events(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try runPsoas(["plan", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(object["events"] as? [[String: Any]])
    }

    func frames(_ event: [String: Any], _ key: String) -> Int { event[key] as? Int ?? -1 }

    @Test(arguments: ["ruhelage", "psoas"])
    func restEndAfterTheFadeGetsAChimeAndACueAfterSpeechDoesNot(session: String) throws {
        let events = try events([session])
        let voices = events.filter { $0["type"] as? String == "voice" }
        let chimes = events.filter { $0["name"] as? String == "chime" }
        let restEnd = try #require(voices.first { $0["cue"] as? String == "rest.end" })
        #expect(chimes.contains { frames($0, "end") == frames(restEnd, "start") }, "no chime before rest.end")
        // rest.hands follows rest.intro at once.
        let hands = try #require(voices.first { $0["cue"] as? String == "rest.hands" })
        #expect(!chimes.contains { frames($0, "end") == frames(hands, "start") })
        // Every chime ends on the first frame of a cue with no speech in the 8 s before it.
        for chime in chimes {
            let end = frames(chime, "end")
            #expect(voices.contains { frames($0, "start") == end }, "chime at \(frames(chime, "start")) announces no cue")
            #expect(!voices.contains { frames($0, "end") > end - 8 * 48_000 && frames($0, "start") < end }, "speech before the chime at \(end)")
        }
        // The chimes move no cue: the cues are where they are without tones (and so without chimes).
        let plain = try self.events([session, "--tones", "off"]).filter { $0["type"] as? String == "voice" }
        #expect(plain.count == voices.count)
        #expect(zip(plain, voices).allSatisfy { frames($0, "start") == frames($1, "start") && frames($0, "end") == frames($1, "end") })
        #expect(!(try self.events([session, "--tones", "off"])).contains { $0["name"] as? String == "chime" })
    }

    /// In an export of ruhelage (defaults: glide, surf) the two seconds before rest.end rise
    /// out of the faded rest, well under the voice.
    @Test func theChimeSoundsInAnExportWellUnderTheVoice() throws {
        let events = try events(["ruhelage"])
        let restEnd = try #require(events.first { $0["cue"] as? String == "rest.end" })
        let start = frames(restEnd, "start")
        let result = try runPsoas(["export", "ruhelage", "-o", "-", "--format", "raw"])
        #expect(result.status == 0, "\(result.stderr)")
        let samples: [Float] = floatSamples(result.stdoutData)
        func loudness(_ range: Range<Int>) throws -> Double {
            try Loudness.measure(MonoAudio(samples: Array(samples[range]), sampleRate: 48_000)).integrated
        }
        let before = try loudness(start - 4 * 48_000..<start - 2 * 48_000)
        let chime = try loudness(start - 2 * 48_000..<start)
        let voice = try loudness(start..<frames(restEnd, "end"))
        #expect(chime > before + 6, "the 2 s before rest.end: \(chime) LUFS, the 2 s before those: \(before) LUFS")
        #expect(chime < voice - 10, "the chime at \(chime) LUFS, rest.end at \(voice) LUFS")
    }
}
