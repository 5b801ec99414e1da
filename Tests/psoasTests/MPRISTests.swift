import Foundation
import PsoasTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The player as an MPRIS player, driven by real clients (`playerctl`, `dbus-send`, a client
/// on the wire protocol) on a private `dbus-daemon`, heard at a private PipeWire null sink
/// through PipeWire's ALSA plugin (`pipewire`). What they test is the bus; both routes' sound is
/// tested by the route-parameterised tests (PlayCommandTests, DropoutTests, SoundServerStallTests).
/// Through the pulse route's 45 ms buffer, beside another real-time test on two busy cores,
/// the sink once heard 1024 frames of the server's silence in CI and then missed as many late
/// frames, while a test here checked the sound: that route's sound is judged by the tests made
/// for it, under a load they choose.
@Suite(.serialized) struct MPRISTests {
    let thirty = sessionFixture("thirty.yaml")
    let short = sessionFixture("short.yaml")

    /// A player of `session` on the server's `pipewire` route, on `bus`, once it has started.
    func play(_ session: String, _ pulse: PipeWireServer, _ bus: SessionBus, extra: [String] = [],
              environment: [String: String]? = nil) throws -> RunningPsoas {
        let player = try RunningPsoas(["play", session, "--device", SoundRoute.pipewirePlugin.device, "--events", "json"] + extra,
                                      environment: (environment ?? pulse.environment).merging(bus.environment) { _, new in new })
        try #require(player.waitForLine(containing: "\"event\":\"step\"") != nil, "the player started: \(player.stderr)")
        return player
    }

    /// Runs `body` with a private PipeWire and a private session bus, both stopped after it.
    func withServers(_ body: (PipeWireServer, SessionBus) throws -> Void) throws {
        let pulse = try PipeWireServer()
        defer { pulse.stop() }
        let bus = try SessionBus()
        defer { bus.stop() }
        try body(pulse, bus)
    }

    /// Polls `playerctl status` until it says `expected`.
    func waitForStatus(_ expected: String, _ bus: SessionBus, player: String = "psoas", timeout: TimeInterval = 3) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try bus.playerctl(["status"], player: player).stdout == expected { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    func socket(_ pulse: PipeWireServer) -> String { pulse.environment["XDG_RUNTIME_DIR"]! + "/psoas/control.sock" }

    @Test func playPauseFollowsPlayingPausedPlayingAndSilencesTheMonitorWithinThePauseLatency() throws {
        try withServers { pulse, bus in
            let recording = try pulse.record()
            let player = try play(thirty, pulse, bus)
            #expect(try waitForStatus("Playing", bus))
            // In the middle of an inhale, where the glide tone is loud.
            try Signal.waitUntil(socket: socket(pulse), position: 12.0)
            let pauseSent = Date()
            let paused = try bus.playerctl(["play-pause"])
            #expect(paused.status == 0, "\(paused.stderr)")
            #expect(try waitForStatus("Paused", bus), "playerctl status says Paused")
            Thread.sleep(forTimeInterval: 1.0)
            let resumeSent = Date()
            #expect(try bus.playerctl(["play-pause"]).status == 0)
            #expect(try waitForStatus("Playing", bus), "playerctl status says Playing again")
            Thread.sleep(forTimeInterval: 1.0)
            let stopped = Date()
            let heard = recording.stop()
            #expect(try bus.playerctl(["stop"]).status == 0)
            #expect(player.wait(timeout: 5) == 0, "\(player.stderr)")
            #expect(player.waitForLine(containing: "\"event\":\"paused\"", timeout: 1) != nil)
            #expect(player.waitForLine(containing: "\"event\":\"resumed\"", timeout: 1) != nil)
            let pauseIndex = heard.count - Int(stopped.timeIntervalSince(pauseSent) * 48_000)
            let resumeIndex = heard.count - Int(stopped.timeIntervalSince(resumeSent) * 48_000)
            let silence = try #require(Signal.silenceOnset(in: heard, from: max(0, pauseIndex - 24_000)), "the monitor fell silent")
            let latency = Double(silence - pauseIndex) / 48_000
            // The socket's pause latency, and the time playerctl takes to start and call.
            #expect(latency <= TimeLimit.allowing(0.150) + 0.1, "play-pause silenced the sink after \(Int(latency * 1000)) ms")
            let sound = try #require(Signal.soundOnset(in: heard, from: silence), "sound came back")
            let resumeLatency = Double(sound - resumeIndex) / 48_000
            #expect(resumeLatency <= TimeLimit.allowing(0.3) + 0.1, "play-pause resumed after \(Int(resumeLatency * 1000)) ms")
        }
    }

    @Test func nextMovesToTheNextStepAndItsTitle() throws {
        try withServers { pulse, bus in
            let player = try play(short, pulse, bus)
            let metadata = try bus.playerctl(["metadata"])
            #expect(metadata.stdout.contains("xesam:title               Ansage"), "\(metadata.stdout)")
            #expect(metadata.stdout.contains("xesam:album               Kurz"), "\(metadata.stdout)")
            #expect(metadata.stdout.contains("xesam:artist              de-espeak"), "\(metadata.stdout)")
            #expect(metadata.stdout.contains("mpris:trackid             '/org/psoas/step/0'"), "\(metadata.stdout)")
            #expect(try bus.playerctl(["next"]).status == 0)
            #expect(player.waitForLine(containing: "\"title\":\"Ankommen\"", timeout: 3) != nil, "the player moved on")
            var title = ""
            let deadline = Date().addingTimeInterval(3)
            while Date() < deadline, title != "Ankommen" {
                title = try bus.playerctl(["metadata", "xesam:title"]).stdout
            }
            #expect(title == "Ankommen")
            #expect(try bus.playerctl(["metadata", "mpris:trackid"]).stdout == "'/org/psoas/step/1'")
            #expect(try bus.playerctl(["stop"]).status == 0)
            #expect(player.wait(timeout: 5) == 0, "\(player.stderr)")
        }
    }

    /// A `wait` step is Paused; Play continues it as Enter does.
    @Test func aWaitIsPausedAndPlayContinuesIt() throws {
        try withServers { pulse, bus in
            let player = try play(short, pulse, bus)
            // Step by step: a skip is taken after its fade, and a second one sent during it would
            // skip from the same step.
            for index in 1...3 {
                #expect(try bus.playerctl(["next"]).status == 0)
                try #require(player.waitForLine(containing: "\"index\":\(index),", timeout: 3) != nil, "skipped to step \(index)")
            }
            // The wait begins once its cue is said.
            #expect(player.waitForLine(containing: "\"event\":\"waiting\"", timeout: 15) != nil,
                    "the wait step began: \(player.lines.map(\.text))")
            #expect(try waitForStatus("Paused", bus))
            #expect(try bus.playerctl(["play"]).status == 0)
            #expect(player.waitForLine(containing: "\"title\":\"Halten\"", timeout: 3) != nil, "Play ended the wait")
            #expect(try waitForStatus("Playing", bus))
            #expect(try bus.playerctl(["stop"]).status == 0)
            #expect(player.wait(timeout: 5) == 0, "\(player.stderr)")
        }
    }

    @Test func volumeHalfLowersTheLevelAtTheMonitorBy6dB() throws {
        try withServers { pulse, bus in
            let recording = try pulse.record()
            let player = try play(thirty, pulse, bus)
            #expect(try bus.playerctl(["volume", "0.5"]).status == 0)
            #expect(try bus.playerctl(["volume"]).stdout.hasPrefix("0.5"), "the volume reads back")
            // Past the first cue (at the first exhale, 4 s).
            try Signal.waitUntil(socket: socket(pulse), position: 8.5)
            let heard = recording.stop()
            #expect(try bus.playerctl(["stop"]).status == 0)
            #expect(player.wait(timeout: 5) == 0, "\(player.stderr)")
            let reference = floatSamples(try runPsoas(["export", thirty, "-o", "-", "--format", "raw"]).stdoutData)
            let offset = try #require(Signal.alignment(of: reference, in: heard), "the session was found in the recording")
            // The inhale tone before the first cue: the volume was set well before it.
            let range = 48_000..<(48_000 * 7 / 2)
            let gain = 20 * log10(rms(heard[(offset + range.lowerBound)..<(offset + range.upperBound)]) / rms(reference[range]))
            #expect(abs(gain + 6.02) < 0.5, "the passage was \(gain) dB louder")
        }
    }

    @Test func stopEndsThePlayerWithExit0AndThePracticeLogSaysStopped() throws {
        try withServers { pulse, bus in
            let folder = try makeTemporaryFolder("psoas-mpris")
            defer { try? FileManager.default.removeItem(at: folder) }
            let environment = pulse.environment(dataHome: folder)
            let player = try play(thirty, pulse, bus, environment: environment)
            try Signal.waitUntil(socket: socket(pulse), position: 1.0)
            #expect(try bus.playerctl(["stop"]).status == 0)
            #expect(player.wait(timeout: 5) == 0, "\(player.stderr)")
            #expect(player.waitForLine(containing: "\"event\":\"stopped\"", timeout: 1) != nil)
            let log = try runPsoas(["log", "--json"], environment: environment)
            #expect(log.stdout.contains("\"completed\":false"), "\(log.stdout)")
            let text = try runPsoas(["log"], environment: environment)
            #expect(text.stdout.contains("stopped"), "\(text.stdout)")
        }
    }

    @Test func aSecondPlayerGetsTheInstanceName() throws {
        try withServers { pulse, bus in
            let first = try play(thirty, pulse, bus)
            // Its own runtime folder: one control socket is one player's.
            let runtime = pulse.folder.path + "/run-second"
            try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let second = try play(thirty, pulse, bus, extra: ["--verbose"],
                                  environment: pulse.environment.merging(["XDG_RUNTIME_DIR": runtime]) { _, new in new })
            let instance = "psoas.instance\(second.process.pid)"
            #expect(second.stderr.contains("MPRIS: org.mpris.MediaPlayer2.\(instance) on the session bus\n"), "\(second.stderr)")
            let listed = try bus.run("playerctl", ["-l"])
            #expect(listed.stdout.split(separator: "\n").sorted() == ["psoas", Substring(instance)], "\(listed.stdout)")
            #expect(try bus.playerctl(["stop"], player: instance).status == 0)
            #expect(second.wait(timeout: 5) == 0, "\(second.stderr)")
            #expect(try waitForStatus("Playing", bus), "the first plays on")
            #expect(try bus.playerctl(["stop"]).status == 0)
            #expect(first.wait(timeout: 5) == 0, "\(first.stderr)")
        }
    }

    /// Wrong signatures, unknown members, a 1 MB string and a caller gone mid-call get errors
    /// (or nothing), and the session plays on to its end, sounding like its export.
    @Test func badInputGetsErrorsWhilePlaybackContinues() throws {
        try withServers { pulse, bus in
            let recording = try pulse.record()
            let player = try play(thirty, pulse, bus)
            let began = Date()
            func dbusSend(_ arguments: [String]) throws -> SessionBus.ClientResult {
                try bus.run("dbus-send", ["--session", "--print-reply", "--dest=org.mpris.MediaPlayer2.psoas",
                                          "/org/mpris/MediaPlayer2"] + arguments)
            }
            let wrong: [([String], String)] = [
                (["org.mpris.MediaPlayer2.Player.PlayPause", "string:now"], "org.freedesktop.DBus.Error.InvalidArgs"),
                (["org.mpris.MediaPlayer2.Player.Seek", "string:far"], "org.freedesktop.DBus.Error.InvalidArgs"),
                (["org.mpris.MediaPlayer2.Player.Rewind"], "org.freedesktop.DBus.Error.UnknownMethod"),
                (["org.freedesktop.DBus.Properties.Set", "string:org.mpris.MediaPlayer2.Player", "string:Volume",
                  "variant:string:loud"], "org.freedesktop.DBus.Error.InvalidArgs"),
                (["org.freedesktop.DBus.Properties.Set", "string:org.mpris.MediaPlayer2.Player", "string:PlaybackStatus",
                  "variant:string:Stopped"], "org.freedesktop.DBus.Error.PropertyReadOnly"),
                (["org.freedesktop.DBus.Properties.Get", "string:org.mpris.MediaPlayer2.Player", "string:Loudness"],
                 "org.freedesktop.DBus.Error.UnknownProperty"),
            ]
            for (arguments, error) in wrong {
                let result = try dbusSend(arguments)
                #expect(result.status != 0 && result.stderr.contains(error), "\(arguments): \(result.stderr)")
            }
            let huge = String(repeating: "a", count: 1_000_000)
            let client = try RawBusClient(socketPath: bus.socketPath)
            func call(_ interface: String, _ member: String, _ strings: [String]) throws -> RawBusClient.Reply {
                try client.call(destination: "org.mpris.MediaPlayer2.psoas", path: "/org/mpris/MediaPlayer2",
                                interface: interface, member: member, strings: strings)
            }
            #expect(try call("org.mpris.MediaPlayer2.Player", "OpenUri", [huge]) == .error("org.freedesktop.DBus.Error.NotSupported"))
            #expect(try call("org.mpris.MediaPlayer2.Player", "PlayPause", [huge]) == .error("org.freedesktop.DBus.Error.InvalidArgs"))
            #expect(try call("org.freedesktop.DBus.Properties", "Get", [huge, huge]) != .returned)
            #expect(try call(huge.prefix(200) + ".x", "Play", []) != .returned)
            // Callers that leave before their reply.
            for _ in 0..<5 {
                let leaving = try RawBusClient(socketPath: bus.socketPath)
                try leaving.send(destination: "org.mpris.MediaPlayer2.psoas", path: "/org/mpris/MediaPlayer2",
                                 interface: "org.freedesktop.DBus.Properties", member: "GetAll",
                                 strings: ["org.mpris.MediaPlayer2.Player"])
            }
            #expect(try bus.playerctl(["status"]).stdout == "Playing")
            #expect(Date().timeIntervalSince(began) < 20, "the bad input was sent while the session played")
            #expect(player.wait(timeout: 40) == 0, "\(player.stderr)")
            #expect(player.waitForLine(containing: "\"event\":\"finished\"", timeout: 1) != nil)
            #expect(!player.lines.contains { $0.text.contains("\"event\":\"paused\"") || $0.text.contains("\"event\":\"skipped\"") })
            Thread.sleep(forTimeInterval: 0.3)
            let heard = recording.stop()
            let reference = floatSamples(try runPsoas(["export", thirty, "-o", "-", "--format", "raw"]).stdoutData)
            let offset = try #require(Signal.alignment(of: reference, in: heard), "the export was found in the recording")
            Signal.expectHeard(reference, in: heard, at: offset, player: player,
                               "at offset \(offset) of \(heard.count); events: \(player.lines.map(\.text))")
        }
    }

    /// Without a session bus the play is what it was: the exported bytes; only `--verbose`
    /// says why there is no MPRIS, once. `--no-mpris` and the settings' `mpris: false` keep
    /// a player off a bus that is there.
    @Test func withoutABusItPlaysAsBeforeAndOnlyVerboseSaysSoOnce() throws {
        let folder = try makeTemporaryFolder("psoas-mpris")
        defer { try? FileManager.default.removeItem(at: folder) }
        let raw = folder.appendingPathComponent("out.raw").path
        let noBus = ["XDG_RUNTIME_DIR": folder.path, "DBUS_SESSION_BUS_ADDRESS": ""]
        let device = "file:FILE=\"\(raw)\",FORMAT=raw"
        let exported = try runPsoas(["export", short, "-o", "-", "--format", "raw"])
        let verbose = try runPsoas(["play", short, "--device", device, "--no-wait", "--verbose"], environment: noBus)
        #expect(verbose.status == 0, "\(verbose.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: raw)) == exported.stdoutData)
        let message = "no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set): media keys and MPRIS clients cannot reach psoas\n"
        #expect(verbose.stderr.components(separatedBy: message).count == 2, "\(verbose.stderr)")
        let quiet = try runPsoas(["play", short, "--device", device, "--no-wait"], environment: noBus)
        #expect(quiet.status == 0)
        #expect(!quiet.stderr.contains("MPRIS") && !quiet.stderr.contains("D-Bus"), "\(quiet.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: raw)) == exported.stdoutData)

        let bus = try SessionBus()
        defer { bus.stop() }
        var onBus = bus.environment
        onBus["XDG_RUNTIME_DIR"] = folder.path
        let on = try runPsoas(["breathe", "4-6", "--cycles", "1", "--device", device, "--verbose"], environment: onBus)
        #expect(on.stderr.contains("MPRIS: org.mpris.MediaPlayer2.psoas on the session bus\n"), "\(on.stderr)")
        let off = try runPsoas(["breathe", "4-6", "--cycles", "1", "--device", device, "--verbose", "--no-mpris"],
                               environment: onBus)
        #expect(off.stderr.contains("MPRIS is off"), "\(off.stderr)")
        let config = folder.appendingPathComponent("config/psoas")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try "mpris: false\n".write(to: config.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        onBus["XDG_CONFIG_HOME"] = folder.appendingPathComponent("config").path
        let settingsOff = try runPsoas(["breathe", "4-6", "--cycles", "1", "--device", device, "--verbose"], environment: onBus)
        #expect(settingsOff.stderr.contains("MPRIS is off"), "\(settingsOff.stderr)")
    }
}
