import AudioIO
import Foundation
import PsoasTestSupport
import SystemIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `psoas breathe`, `psoas voice check` on a broken pack, and the control socket's ownership.
@Suite struct BreatheAndVoiceTests {
    func temporaryFolder() throws -> URL { try makeTemporaryFolder("psoas-bv") }

    @Test func breatheExportsExactlyTheCyclesAskedFor() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("breath.wav").path
        let result = try runPsoas(["breathe", "4-2-6", "--cycles", "3", "-o", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try SoundFileInfo.read(path: path).frameCount == 3 * 12 * 48_000)
        let minutes = folder.appendingPathComponent("minutes.flac").path
        #expect(try runPsoas(["breathe", "4-6", "--minutes", "1", "-o", minutes, "--rate", "44100"]).status == 0)
        #expect(try SoundFileInfo.read(path: minutes).frameCount == 60 * 44_100)
    }

    @Test func breathePlaysThroughALSA() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let raw = folder.appendingPathComponent("out.raw").path
        let result = try runPsoas(["breathe", "4-6", "--cycles", "2", "--device", "file:FILE=\"\(raw)\",FORMAT=raw"],
                                  environment: ["XDG_RUNTIME_DIR": folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let exported = try runPsoas(["breathe", "4-6", "--cycles", "2", "-o", "-", "--format", "raw"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: raw)) == exported.stdoutData)
    }

    @Test func breatheRefusesBadInput() throws {
        #expect(try runPsoas(["breathe", "4-x"]).status == 64)
        #expect(try runPsoas(["breathe", "4-6", "--cycles", "3", "--minutes", "2"]).status == 64)
        #expect(try runPsoas(["breathe", "4-6", "--cycles", "0"]).status == 64)
    }

    @Test func voiceCheckNamesWhatABrokenPackLacks() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let builtin = repositoryRoot.appendingPathComponent("Audio/voices/de-espeak")
        for name in ["pack.yaml", "sink.exhale.flac"] {
            try FileManager.default.copyItem(at: builtin.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        // A clip far too quiet for the pack's target: 12 dB down.
        let loud = folder.appendingPathComponent("hold.start.flac").path
        let sox = Process()
        sox.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        sox.arguments = [builtin.appendingPathComponent("hold.start.flac").path, loud, "gain", "-12"]
        try sox.run()
        sox.waitUntilExit()
        let result = try runPsoas(["voice", "check", folder.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("missing clip: intro.welcome"))
        #expect(result.stderr.contains("loudness: hold.start: "))
        #expect(result.stderr.contains(": 2 of 69 cues have a clip"))
    }

    @Test func aStaleSocketIsReplacedAndALiveOneRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let socketFolder = folder.appendingPathComponent("psoas")
        try FileManager.default.createDirectory(at: socketFolder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let path = socketFolder.appendingPathComponent("control.sock").path
        let raw = folder.appendingPathComponent("out.raw").path
        let ten = sessionFixture("ten.yaml")
        // A socket file nobody listens on, as a crashed player leaves it.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(stale)
        #expect(FileManager.default.fileExists(atPath: path))
        let replaced = try runPsoas(["play", ten, "--device", "file:FILE=\"\(raw)\",FORMAT=raw"], environment: ["XDG_RUNTIME_DIR": folder.path])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        // A live one: another player is listening.
        let live = try UnixSocketServer(path: path)
        defer { live.close() }
        let refused = try runPsoas(["play", ten, "--device", "file:FILE=\"\(raw)\",FORMAT=raw"], environment: ["XDG_RUNTIME_DIR": folder.path])
        #expect(refused.status == 69)
        #expect(refused.stderr.contains("another psoas is playing"))
        var info = stat()
        stat(socketFolder.path, &info)
        #expect(info.st_mode & 0o777 == 0o700)
    }
}
