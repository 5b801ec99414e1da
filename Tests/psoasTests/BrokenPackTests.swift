import Foundation
import PsoasTestSupport
import Testing

/// Broken audio in a voice pack is found before any audio is written, named by cue and path.
@Suite struct BrokenPackTests {
    enum Damage: String, CaseIterable {
        case empty, notAudio, truncated, stereo, absurdlyLong
    }

    /// A copy of the built-in pack with `sink.exhale` damaged.
    func brokenPack(_ damage: Damage) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psoas-broken-\(UUID().uuidString.prefix(8))")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Audio/voices/de-espeak"), to: folder)
        let clip = folder.appendingPathComponent("sink.exhale.flac")
        switch damage {
        case .empty:
            try Data().write(to: clip)
        case .notAudio:
            try Data("not audio at all, just text".utf8).write(to: clip)
        case .truncated:
            let data = try Data(contentsOf: clip)
            try data.prefix(data.count / 3).write(to: clip)
        case .stereo:
            try sox([folder.appendingPathComponent("outro.flac").path, "-c", "2", clip.path])
        case .absurdlyLong:
            try sox(["-n", "-r", "48000", "-c", "1", "-b", "16", clip.path, "synth", "90", "sine", "440"])
        }
        return folder
    }

    func sox(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
    }

    @Test(arguments: Damage.allCases)
    func aBrokenClipStopsTheExportBeforeAnythingIsWritten(damage: Damage) throws {
        let pack = try brokenPack(damage)
        defer { try? FileManager.default.removeItem(at: pack) }
        let output = pack.appendingPathComponent("out.wav").path
        let result = try runPsoas(["export", sessionFixture("ten.yaml"), "--voice", pack.path, "-o", output])
        #expect(result.status == 65, "\(damage): \(result.stderr)")
        #expect(result.stderr.contains("'sink.exhale'"), "\(damage): \(result.stderr)")
        #expect(result.stderr.contains(pack.appendingPathComponent("sink.exhale.flac").path), "\(damage): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: pack.path).filter { $0.hasPrefix(".out.wav") }
        #expect(leftovers.isEmpty)
    }
}
