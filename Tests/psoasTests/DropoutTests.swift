import Foundation
import PsoasTestSupport
import Testing

/// No dropouts under load: four busy-looping processes for the whole of a 60-s session, and the
/// player reports no xrun while the sink's monitor hears the export.
///
/// The load slows every process on the machine, so each test holds the real-time lock exclusive
/// (`PipeWireServer(alone: true)`): it waits until no other real-time test runs, and they wait
/// for it. The suite is serialized so its two routes do not wait for each other while holding
/// a thread of the test runner.
@Suite(.serialized) struct DropoutTests {
    let sixty = sessionFixture("sixty.yaml")

    @Test(arguments: SoundRoute.allCases)
    func sixtySecondsUnderFourBusyLoopsPlayWithoutXrunsAndSoundLikeTheExport(route: SoundRoute) throws {
        let exported = try runPsoas(["export", sixty, "-o", "-", "--format", "raw"])
        try #require(exported.status == 0, "\(exported.stderr)")
        let reference = floatSamples(exported.stdoutData)

        let server = try PipeWireServer(alone: true)
        defer { server.stop() }
        let recording = try server.record()
        let load = try CPULoad(processCount: 4)
        defer { load.stop() }
        let player = try RunningPsoas(["play", sixty, "--device", route.device, "--events", "json"],
                                      environment: server.environment)
        let status = player.wait(timeout: 75)
        let loadedThroughout = load.isRunning
        load.stop()
        Thread.sleep(forTimeInterval: 0.3)
        let heard = recording.stop()

        #expect(status == 0, "\(player.stderr)")
        #expect(loadedThroughout, "the busy loops ran to the end")
        #expect(player.lines.contains { $0.text.contains("\"event\":\"finished\"") }, "\(player.lines.map(\.text))")
        let offset = try #require(Signal.alignment(of: reference, in: heard), "the export was found in the recording")
        Signal.expectHeard(reference, in: heard, at: offset, player: player, "under load through \(route)")
    }
}
