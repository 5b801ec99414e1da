import Foundation
import Planning

/// What MPRIS's methods and properties mean for this player, without a bus: tested alone.
///
/// - Play, Pause and PlayPause do what Space does (the same fade, and a resume from the start
///   of the breath cycle the pause interrupted), with one difference for a `wait` step: it is
///   reported as Paused (the player waits for the listener), so Play and PlayPause continue it
///   as Enter does, and Pause leaves it waiting.
/// - Next and Previous are → and ← (the next step; the step's start, or the previous step
///   within its first 2 s). Stop and Quit end the play as `q` does.
/// - Seek and SetPosition do nothing (`CanSeek` is false): a jump to any position would break
///   the breath cycle a cue belongs to, which a pause keeps by resuming at the cycle's start.
/// - Volume is linear, 1.0 the session's own level (0 dB): Volume = 10^(dB/20), so 0.5 is
///   about −6 dB; it stays within ``PlaybackEngine/volumeRange`` (−30…+12 dB, Volume
///   0.032…3.98), and a Volume of 0 or below is the lowest, −30 dB.
package enum MPRISMapping {
    /// The command a method of `org.mpris.MediaPlayer2.Player` (or `Quit` of the root
    /// interface) sends while the engine is in `mode`; `nil` when it does nothing.
    package static func command(for method: String, mode: PlaybackEngine.Mode) -> TransportCommand? {
        switch method {
        case "PlayPause": mode == .waiting ? .continueWait : .toggle
        case "Play": mode == .waiting ? .continueWait : .resume
        case "Pause": mode == .waiting ? nil : .pause
        case "Next": .next
        case "Previous": .back
        case "Stop", "Quit": .stop
        default: nil
        }
    }

    /// `PlaybackStatus`: Playing, Paused (a pause, a wait, a safety stop) or Stopped (the end).
    package static func playbackStatus(_ mode: PlaybackEngine.Mode) -> String {
        switch mode {
        case .playing: "Playing"
        case .paused, .waiting, .safety: "Paused"
        case .finished: "Stopped"
        }
    }

    /// The MPRIS `Volume` of a volume in dB.
    package static func volume(decibels: Double) -> Double {
        Foundation.pow(10, decibels / 20)
    }

    /// The volume in dB for an MPRIS `Volume`, within ``PlaybackEngine/volumeRange``, in
    /// hundredths of a dB (as the engine keeps it); `nil` for a value that is not a number.
    package static func decibels(volume: Double) -> Double? {
        guard !volume.isNaN else { return nil }
        let range = PlaybackEngine.volumeRange
        guard volume > 0 else { return range.lowerBound }
        let decibels: Double = 20 * Foundation.log10(volume)
        let clamped: Double = min(range.upperBound, max(range.lowerBound, decibels))
        return (clamped * 100).rounded() / 100
    }

    /// A position in frames at `sampleRate`, in microseconds.
    package static func microseconds(frames: Int64, sampleRate: Int) -> Int64 {
        frames * 1_000_000 / Int64(sampleRate)
    }

    /// Whether the position moved other than by playing on for `seconds` (`Seeked`): back (a
    /// resume at the start of a cycle, ←, a replayed cycle) or ahead by more than the time
    /// passed and a second (→; the device's buffer fills ahead of the ear).
    package static func isJump(from previous: Int64, to position: Int64, after seconds: TimeInterval,
                               sampleRate: Int) -> Bool {
        if position < previous { return true }
        let expected: Double = (max(0, seconds) + 1) * Double(sampleRate)
        return Double(position - previous) > expected
    }

    /// `mpris:trackid` of a step: an object path of its own (MPRIS reserves `/org/mpris`).
    package static func trackID(step: Int) -> String {
        "/org/psoas/step/\(step)"
    }
}
