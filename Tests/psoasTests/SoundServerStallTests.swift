import Foundation
import PsoasTestSupport
import SystemIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A frozen, dead or restarted sound server never freezes the player: it answers its socket,
/// survives a short stall, ends after a long one with 69, obeys SIGTERM, and reconnects. The
/// private PipeWire is frozen (`SIGSTOP`) and killed by its PIDs and started again on the same
/// sockets.
@Suite(.serialized) struct SoundServerStallTests {
    /// Two breath cycles of 10 s, then the end.
    func session(_ route: SoundRoute) -> [String] {
        ["breathe", "4-6", "--cycles", "2", "--device", route.device, "--events", "json"]
    }

    func socket(_ server: PipeWireServer) -> String { server.environment["XDG_RUNTIME_DIR"]! + "/psoas/control.sock" }

    /// The play says so, and goes on from the start of the interrupted breath cycle when the
    /// server moves again (through the pipewire plugin it falls silent at once; through the
    /// pulse plugin its write waits, and what the server held plays out into a short fade).
    @Test(arguments: SoundRoute.allCases)
    func aThreeSecondFreezeIsSurvivedAndThePlayGoesOnFromTheInterruptedCycle(route: SoundRoute) throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let recording = try server.record()
        let player = try RunningPsoas(session(route), environment: server.environment)
        try #require(player.waitForLine(containing: "\"event\":\"step\"") != nil)
        try Signal.waitUntil(socket: socket(server), position: 13.0)
        server.freeze()
        Thread.sleep(forTimeInterval: 1.0)
        let asked = Date()
        let status = try UnixSocketClient.request(path: socket(server), line: "status")
        let answered = Date().timeIntervalSince(asked)
        #expect(status.contains("\"ok\":true"), "\(status)")
        #expect(answered <= TimeLimit.allowing(0.2), "ctl status answered after \(Int(answered * 1000)) ms")
        Thread.sleep(forTimeInterval: 2.0)
        server.thaw()
        let thawed = Date()
        #expect(player.wait(timeout: 30) == 0, "\(player.stderr)")
        Thread.sleep(forTimeInterval: 0.3)
        let stopped = Date()
        let heard = recording.stop()
        let stall = try #require(player.lines.first { $0.text.contains("\"event\":\"stall\"") }?.text, "\(player.lines.map(\.text))")
        let seconds = Double(stall.components(separatedBy: "\"seconds\":").last?.prefix { $0 != "}" && $0 != "," } ?? "") ?? 0
        #expect(seconds >= 2.3 && seconds <= 3.8, "\(stall)")
        // The remainder from the start of the interrupted (second) breath cycle is heard whole.
        let exported = try runPsoas(["breathe", "4-6", "--cycles", "2", "-o", "-", "--format", "raw"]).stdoutData
        let remainder = Array(floatSamples(exported)[(10 * 48_000 + 4_800)...])
        let thawIndex = heard.count - Int(stopped.timeIntervalSince(thawed) * 48_000)
        let offset = try #require(Self.offset(of: remainder, in: heard, near: thawIndex + 4_800),
                                 "the remainder was not found near the thaw (\(heard.count) samples heard, thaw at \(thawIndex)): \(player.lines.map(\.text))")
        let match = monitorMatch(of: remainder, in: heard, at: offset)
        #expect(match.comparedFrames >= remainder.count - 9_600, "the recording holds the remainder")
        #expect(match.correlation >= 0.98, "correlation \(match.correlation), shifts [\(match.shiftsText)]")
        #expect(match.shifts.count <= 3 && match.onlyInsertedSilence(atMost: 2_048), "the recording moved at [\(match.shiftsText)]")
    }

    /// Where `reference` starts in `recording`, searched within 0.5 s either side of `near`
    /// (the recording holds the same cycle before the freeze too, so it is not searched from its start).
    static func offset(of reference: [Float], in recording: [Float], near: Int) -> Int? {
        let window = 9_600
        guard recording.count > window else { return nil }
        let range = max(0, near - 24_000)...max(0, min(recording.count - window, near + 24_000))
        var best = (offset: -1, score: 0.5)
        for offset in stride(from: range.lowerBound, through: range.upperBound, by: 4) {
            let score = correlation(recording[offset..<(offset + window)], reference[0..<window])
            if score > best.score { best = (offset, score) }
        }
        guard best.offset >= 0 else { return nil }
        for offset in max(0, best.offset - 4)...min(recording.count - window, best.offset + 4) {
            let score = correlation(recording[offset..<(offset + window)], reference[0..<window])
            if score >= best.score { best = (offset, score) }
        }
        return best.offset
    }

    @Test(arguments: SoundRoute.allCases)
    func aFreezeLongerThanTheLimitEndsWith69AndIsLoggedAsInterrupted(route: SoundRoute) throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let data = try makeTemporaryFolder("psoas-stall")
        defer { try? FileManager.default.removeItem(at: data) }
        let environment = server.environment.merging(["XDG_DATA_HOME": data.path]) { _, new in new }
        let player = try RunningPsoas(session(route) + ["--stall-limit", "4"], environment: environment)
        try #require(player.waitForLine(containing: "\"event\":\"step\"") != nil)
        try Signal.waitUntil(socket: socket(server), position: 2.0)
        server.freeze()
        let frozen = Date()
        let status = player.wait(timeout: 12)
        let took = Date().timeIntervalSince(frozen)
        server.thaw()
        #expect(status == 69, "\(player.stderr)")
        #expect(took <= 4 + TimeLimit.allowing(2), "ended \(took) s after the freeze")
        #expect(player.stderr.contains("the sound server made no progress for 4 s; the session stopped at 0:0"), "\(player.stderr)")
        let log = try runPsoas(["log", "--json"], environment: environment)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1 && entries.first?["completed"] as? Bool == false, "\(log.stdout)")
    }

    @Test(arguments: SoundRoute.allCases)
    func openingADeviceWhoseServerDoesNotAnswerFailsWith69WithinSeconds(route: SoundRoute) throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        server.freeze()
        let started = Date()
        let result = try runPsoas(session(route), environment: server.environment)
        let took = Date().timeIntervalSince(started)
        server.thaw()
        #expect(result.status == 69, "\(result.stderr)")
        #expect(took <= TimeLimit.allowing(8), "failed after \(took) s")
        #expect(result.stderr.contains("the sound server did not answer within 5 s"), "\(result.stderr)")
    }

    @Test(arguments: SoundRoute.allCases)
    func sigtermDuringAFreezeExits143AtOnceAndCleansUp(route: SoundRoute) throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        let player = try RunningPsoas(session(route), environment: server.environment, standardInput: terminal.slave,
                                      standardError: terminal.slave)
        try Signal.waitUntil(socket: socket(server), position: 2.0)
        server.freeze()
        Thread.sleep(forTimeInterval: 1.5)
        player.signal(SIGTERM)
        let sent = Date()
        let status = player.wait(timeout: 5)
        let took = Date().timeIntervalSince(sent)
        server.thaw()
        #expect(status == 143)
        #expect(took <= TimeLimit.allowing(1), "exited \(took) s after SIGTERM")
        #expect(!FileManager.default.fileExists(atPath: socket(server)), "the control socket was removed")
        #expect(terminal.modesRestored, "terminal modes restored")
    }

    @Test(arguments: SoundRoute.allCases)
    func aServerKilledAndStartedAgainIsReconnectedAndThePlayFinishes(route: SoundRoute) throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let player = try RunningPsoas(session(route), environment: server.environment)
        try #require(player.waitForLine(containing: "\"event\":\"step\"") != nil)
        try Signal.waitUntil(socket: socket(server), position: 3.0)
        server.crash()
        Thread.sleep(forTimeInterval: 2.0)
        try server.startAgain()
        #expect(player.wait(timeout: 40) == 0, "\(player.stderr)")
        let names = player.lines.compactMap { line -> String? in
            guard let range = line.text.range(of: "\"event\":\"") else { return nil }
            return String(line.text[range.upperBound...].prefix { $0 != "\"" })
        }
        let lost = try #require(names.firstIndex(of: "device-lost"), "\(names)")
        let back = try #require(names.firstIndex(of: "device-back"), "\(names)")
        #expect(lost < back && names.last == "finished", "\(names)")
        #expect(player.stderr.contains("The sound device went away"), "\(player.stderr)")
    }
}
