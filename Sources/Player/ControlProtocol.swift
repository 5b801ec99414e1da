import Foundation
import JSONText
import Planning

/// The control socket's language: one command per line, one JSON object per reply line.
///
/// `pause`, `resume`, `toggle`, `next`, `back`, `extend`, `continue`, `safety`,
/// `volume +N|-N`, `stop`, `status`.
public enum ControlProtocol {
    public enum Request: Equatable, Sendable {
        case command(TransportCommand)
        case status
    }

    /// The longest line accepted.
    public static let maximumLineLength = 1024

    /// Parses one request line.
    /// - Returns: the request, or an error message for the reply.
    public static func parse(_ line: String) -> Result<Request, ParseError> {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        guard let verb = words.first?.lowercased() else { return .failure(ParseError(message: "empty command")) }
        let simple: [String: TransportCommand] = [
            "pause": .pause, "resume": .resume, "toggle": .toggle, "next": .next, "back": .back,
            "extend": .extend, "continue": .continueWait, "safety": .safety, "stop": .stop,
        ]
        if let command = simple[verb], words.count == 1 { return .success(.command(command)) }
        if verb == "status", words.count == 1 { return .success(.status) }
        if verb == "volume" { return volume(words.dropFirst()) }
        return .failure(ParseError(message: "unknown command '\(line.prefix(64))'; expected one of: \(commandList)"))
    }

    /// The commands, for help and messages.
    public static let commandList = "pause, resume, toggle, next, back, extend, continue, safety, volume ±N, stop, status"

    /// What `volume` takes, for help and messages.
    public static let volumeHelp = "volume +N or -N changes the volume by N dB (relative); it stays within "
        + "\(decibels(PlaybackEngine.volumeRange.lowerBound))…\(decibels(PlaybackEngine.volumeRange.upperBound)) dB, "
        + "so a change is at most \(decibels(volumeSpan, sign: false)) dB"

    /// The largest change that can stay within the range.
    static var volumeSpan: Double { PlaybackEngine.volumeRange.upperBound - PlaybackEngine.volumeRange.lowerBound }

    private static func volume(_ arguments: ArraySlice<String>) -> Result<Request, ParseError> {
        guard let text = arguments.first, arguments.count == 1 else {
            return .failure(ParseError(message: "volume takes one change in dB, like volume +3 or volume -3; \(volumeHelp)"))
        }
        guard let change = Double(text), change.isFinite else {
            return .failure(ParseError(message: "volume '\(text.prefix(16))' is not a change in dB; \(volumeHelp)"))
        }
        guard abs(change) <= volumeSpan else {
            return .failure(ParseError(message: "volume \(text): out of range; \(volumeHelp)"))
        }
        return .success(.command(.volume(decibels: change)))
    }

    /// Why a volume `change` cannot be made at volume `current`, or `nil` when it can: the
    /// player refuses a change that would leave the range rather than limit it silently.
    public static func volumeProblem(change: Double, current: Double) -> String? {
        let range = PlaybackEngine.volumeRange
        guard !range.contains(current + change) else { return nil }
        let possible = change > 0 ? range.upperBound - current : range.lowerBound - current
        return "volume \(decibels(change)): the volume is \(decibels(current)) dB and stays within "
            + "\(decibels(range.lowerBound))…\(decibels(range.upperBound)) dB; "
            + (possible == 0 ? "it is already there" : "at most volume \(decibels(possible)) now")
    }

    /// `+3`, `-1.5`, `0`.
    static func decibels(_ value: Double, sign: Bool = true) -> String {
        let number = value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
        return sign && value > 0 ? "+" + number : number
    }

    public struct ParseError: Error, Equatable, Sendable {
        public var message: String
    }

    /// `{"ok":true}`.
    public static let okReply = "{\"ok\":true}"

    /// `{"ok":false,"error":"…"}`.
    public static func errorReply(_ message: String) -> String {
        var object = JSONObject()
        object.add("ok", false)
        object.add("error", message)
        return object.text
    }

    /// The `status` reply: session, step, title, position and duration in seconds, paused, volume.
    public static func statusReply(_ snapshot: PlaybackEngine.Snapshot, timeline: Timeline) -> String {
        let step = timeline.steps.indices.contains(snapshot.step) ? timeline.steps[snapshot.step] : nil
        var object = JSONObject()
        object.add("ok", true)
        object.add("session", timeline.sessionID)
        object.add("step", step?.id ?? "")
        object.add("title", step?.title ?? "")
        object.add("position", Double(snapshot.position) / Double(timeline.sampleRate), decimals: 3)
        object.add("duration", timeline.durationInSeconds, decimals: 3)
        object.add("paused", snapshot.mode == .paused || snapshot.mode == .safety)
        object.add("waiting", snapshot.mode == .waiting)
        object.add("volume", snapshot.volumeDecibels, decimals: 1)
        return object.text
    }
}
