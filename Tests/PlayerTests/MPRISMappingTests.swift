import Foundation
import Player
import Testing

/// What MPRIS's methods and properties mean for the player, without a bus.
@Suite struct MPRISMappingTests {
    @Test func theMethodsSendWhatTheKeysSend() {
        let playing = PlaybackEngine.Mode.playing
        #expect(MPRISMapping.command(for: "PlayPause", mode: playing) == .toggle)
        #expect(MPRISMapping.command(for: "PlayPause", mode: .paused) == .toggle)
        #expect(MPRISMapping.command(for: "Play", mode: .paused) == .resume)
        #expect(MPRISMapping.command(for: "Pause", mode: playing) == .pause)
        #expect(MPRISMapping.command(for: "Next", mode: playing) == .next)
        #expect(MPRISMapping.command(for: "Previous", mode: playing) == .back)
        #expect(MPRISMapping.command(for: "Stop", mode: .paused) == .stop)
        #expect(MPRISMapping.command(for: "Quit", mode: .waiting) == .stop)
        for method in ["Seek", "SetPosition", "Raise", "OpenUri", "Bogus"] {
            #expect(MPRISMapping.command(for: method, mode: playing) == nil, "\(method)")
        }
    }

    /// A wait is reported as Paused: Play continues it as Enter does, Pause leaves it waiting.
    @Test func aWaitIsPausedAndPlayContinuesIt() {
        #expect(MPRISMapping.playbackStatus(.waiting) == "Paused")
        #expect(MPRISMapping.command(for: "Play", mode: .waiting) == .continueWait)
        #expect(MPRISMapping.command(for: "PlayPause", mode: .waiting) == .continueWait)
        #expect(MPRISMapping.command(for: "Pause", mode: .waiting) == nil)
    }

    @Test func theStatusIsPlayingPausedOrStopped() {
        #expect(MPRISMapping.playbackStatus(.playing) == "Playing")
        #expect(MPRISMapping.playbackStatus(.paused) == "Paused")
        #expect(MPRISMapping.playbackStatus(.safety) == "Paused")
        #expect(MPRISMapping.playbackStatus(.finished) == "Stopped")
    }

    /// Volume = 10^(dB/20), 1.0 the session's own level, within the player's −30…+12 dB.
    @Test func volumeIsLinearAroundTheSessionsOwnLevel() throws {
        #expect(MPRISMapping.volume(decibels: 0) == 1)
        #expect(abs(MPRISMapping.volume(decibels: -6.02) - 0.5) < 0.001)
        #expect(abs(MPRISMapping.volume(decibels: 12) - 3.981) < 0.001)
        #expect(MPRISMapping.decibels(volume: 1) == 0)
        #expect(MPRISMapping.decibels(volume: 0.5) == -6.02)
        #expect(MPRISMapping.decibels(volume: 2) == 6.02)
        #expect(MPRISMapping.decibels(volume: 0) == -30)
        #expect(MPRISMapping.decibels(volume: -1) == -30)
        #expect(MPRISMapping.decibels(volume: 0.001) == -30)
        #expect(MPRISMapping.decibels(volume: 100) == 12)
        #expect(MPRISMapping.decibels(volume: .infinity) == 12)
        #expect(MPRISMapping.decibels(volume: .nan) == nil)
        for decibels in stride(from: -30.0, through: 12, by: 0.5) {
            let back = try #require(MPRISMapping.decibels(volume: MPRISMapping.volume(decibels: decibels)))
            #expect(abs(back - decibels) < 0.006, "\(decibels) dB came back as \(back) dB")
        }
    }

    @Test func positionsAreMicrosecondsAndStepsHaveTheirOwnTrackID() {
        #expect(MPRISMapping.microseconds(frames: 48_000, sampleRate: 48_000) == 1_000_000)
        #expect(MPRISMapping.microseconds(frames: 441, sampleRate: 44_100) == 10_000)
        #expect(MPRISMapping.trackID(step: 3) == "/org/psoas/step/3")
    }

    /// Seeked: the position went back, or ahead by more than the time passed and a second.
    @Test func aJumpIsBackOrFarAhead() {
        #expect(!MPRISMapping.isJump(from: 48_000, to: 48_960, after: 0.02, sampleRate: 48_000))
        #expect(!MPRISMapping.isJump(from: 48_000, to: 48_000, after: 5, sampleRate: 48_000))
        #expect(!MPRISMapping.isJump(from: 0, to: 40_000, after: 0, sampleRate: 48_000), "the device's buffer filling")
        #expect(MPRISMapping.isJump(from: 480_000, to: 470_000, after: 0.02, sampleRate: 48_000))
        #expect(MPRISMapping.isJump(from: 48_000, to: 480_000, after: 0.02, sampleRate: 48_000))
    }
}
