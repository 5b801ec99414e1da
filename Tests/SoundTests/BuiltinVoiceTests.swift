import AudioIO
import Foundation
import PsoasTestSupport
import SessionKit
import Sound
import Testing

/// The committed clips of the built-in voice (Audio/voices/de-espeak), measured: a calm pace,
/// no DC, the loudness target, and a soft top end. Scripts/render-voice renders them.
@Suite struct BuiltinVoiceTests {
    /// Every clip of the pack with its cue id, in manifest order.
    func clips() throws -> [(cue: String, path: String)] {
        let pack = try SoundFixture.pack()
        let manifest = try SoundFixture.manifest()
        return try manifest.ids.map { cue in (cue, try #require(pack.clipPaths[cue], "\(cue) has no clip")) }
    }

    @Test func everyClipSpeaksAtACalmPace() throws {
        // The rates `psoas voice check` prints: one measurement for both.
        let report = PackCheck.run(pack: try SoundFixture.pack(), fallback: nil, manifest: try SoundFixture.manifest(), sessions: [])
        #expect(report.rates.count == 69)
        var rated: [Double] = []
        for (cue, rate) in report.rates {
            #expect(rate.problem == nil, "\(cue): \(rate.words) words in \(rate.seconds) s = \(rate.wordsPerMinute) words/min; rule: \(SpeechRate.ruleDescription)")
            #expect(rate.wordsPerMinute <= SpeechRate.ceiling, "\(cue)")
            if rate.isRated { rated.append(rate.wordsPerMinute) }
        }
        // The rule rates nearly every clip: all but the few of one to three words.
        #expect(rated.count >= 55, "only \(rated.count) clips rated")
    }

    @Test func noClipCarriesDC() throws {
        for (cue, path) in try clips() {
            let samples = try SoundFileReader.readMono(path: path).samples
            let mean = samples.reduce(0.0) { $0 + Double($1) } / Double(samples.count)
            let decibels = 20 * log10(max(abs(mean), 1e-12))
            #expect(decibels < -60, "\(cue): DC at \(decibels) dBFS")
        }
    }

    @Test func everyClipIsAtMinusEighteenLUFSWithTruePeakAtMostMinusOneDBTP() throws {
        for (cue, path) in try clips() {
            let loudness = try Loudness.measure(SoundFileReader.readMono(path: path))
            #expect(abs(loudness.integrated - ClipProcessor.targetLoudness) <= 0.5, "\(cue): \(loudness.integrated) LUFS")
            #expect(loudness.truePeakDecibels <= ClipProcessor.truePeakCeiling, "\(cue): true peak \(loudness.truePeakDecibels) dBTP")
        }
    }

    /// "Drei. Zwei. Eins." counts whole seconds: each word starts 1.000 s after the one before
    /// (spoken as one sentence they were 1.14 and 1.22 s apart).
    @Test func theCountdownSpeaksOneWordASecond() throws {
        let path = try #require(try SoundFixture.pack().clipPaths["hold.countdown"])
        let clip = try SoundFileReader.readMono(path: path)
        let onsets = soundOnsets(clip.samples[...], rate: clip.sampleRate)
        #expect(onsets.count == 3, "word onsets at \(onsets) s")
        for (earlier, later) in zip(onsets, onsets.dropFirst()) {
            #expect(abs(later - earlier - 1) <= 0.020, "words \(later - earlier) s apart (onsets \(onsets) s)")
        }
    }

    /// The level of `paths` played one after the other through sox's band-pass `band` (Hz), in dB.
    func bandLevel(_ paths: [String], band: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        process.arguments = paths + ["-n", "sinc", band, "stats"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sox \(band): \(output)")
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("RMS lev dB") }, "\(output)")
        return try #require(Double(line.split(separator: " ").last ?? ""), "\(line)")
    }

    /// Energy in 4–9 kHz (where espeak-ng's synthetic voice is harsh) relative to 0.3–3 kHz, in dB.
    func highBandRatio(_ paths: [String]) throws -> Double {
        try bandLevel(paths, band: "4000-9000") - bandLevel(paths, band: "300-3000")
    }

    /// The whole pack's high band must stay below this (the espeak-ng voice without a filter: -15.6 dB;
    /// with the low-pass at 5 kHz: -20.1 dB).
    static let packHighBandLimit = -19.0
    /// No single clip's high band goes above this (unfiltered the harshest was -8.8 dB and half
    /// the clips above -15.6 dB; filtered the harshest, the sibilants of "Und loslassen.", is -11.7 dB).
    static let clipHighBandLimit = -11.0

    @Test func theHighBandIsSoft() throws {
        let clips = try clips()
        let pack = try highBandRatio(clips.map(\.path))
        #expect(pack < Self.packHighBandLimit, "4–9 kHz vs 0.3–3 kHz over the pack: \(pack) dB")
        for (cue, path) in clips {
            let ratio = try highBandRatio([path])
            #expect(ratio < Self.clipHighBandLimit, "\(cue): 4–9 kHz vs 0.3–3 kHz: \(ratio) dB")
        }
    }
}
