import Foundation
import PsoasTestSupport
import Testing

/// `psoas ctl` as a user types it: help works, and `volume` says what it takes.
@Suite struct CtlCommandTests {
    let volumeHelp = "volume +N or -N changes the volume by N dB (relative); it stays within -30…+12 dB, so a change is at most 42 dB"

    func firstLine(_ text: String) -> String { String(text.split(separator: "\n").first ?? "") }

    @Test func helpWorksLongAndShort() throws {
        for flag in ["--help", "-h"] {
            let result = try runPsoas(["ctl", flag])
            #expect(result.status == 0, "\(flag): \(result.stderr)")
            #expect(result.stdout.contains("USAGE: psoas ctl"), "\(flag): \(result.stdout)")
            #expect(result.stdout.replacingOccurrences(of: "\n", with: " ").contains("changes the volume by N dB (relative); it stays within -30…+12 dB"), "\(result.stdout)")
        }
    }

    @Test func volumeSaysWhatItTakes() throws {
        let cases: [([String], String)] = [
            (["volume"], "volume takes one change in dB, like volume +3 or volume -3; \(volumeHelp)"),
            (["volume", "99"], "volume 99: out of range; \(volumeHelp)"),
            (["volume", "-100"], "volume -100: out of range; \(volumeHelp)"),
            (["volume", "+43"], "volume +43: out of range; \(volumeHelp)"),
            (["volume", "loud"], "volume 'loud' is not a change in dB; \(volumeHelp)"),
        ]
        for (words, message) in cases {
            let result = try runPsoas(["ctl"] + words)
            #expect(result.status == 64, "\(words)")
            #expect(firstLine(result.stderr) == "error: " + message, "\(words): \(result.stderr)")
        }
    }
}
