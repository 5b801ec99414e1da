import Timeline

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
        if verb == "volume", words.count == 2, let decibels = Double(words[1]), decibels.isFinite, abs(decibels) <= 60 {
            return .success(.command(.volume(decibels: decibels)))
        }
        let known = "pause, resume, toggle, next, back, extend, continue, safety, volume ±N, stop, status"
        return .failure(ParseError(message: "unknown command '\(line.prefix(64))'; expected one of: \(known)"))
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
