import JSONText

extension Timeline {
    /// The `plan --json` document: the session, its format, and one event per line.
    public var json: String {
        var head = JSONObject()
        head.add("session", sessionID)
        head.add("title", title)
        head.add("sampleRate", sampleRate)
        head.add("channels", channelCount)
        head.add("frames", frameCount)
        let headText = String(head.text.dropLast())
        let lines = events.map { jsonObject(for: $0).text }
        return headText + ",\n\"events\":[\n" + lines.joined(separator: ",\n") + "\n]}\n"
    }

    /// One event as a JSON object, its keys in a fixed order (type, then what it is, then where).
    public func jsonObject(for event: Event) -> JSONObject {
        var object = JSONObject()
        let step = steps[event.step]
        switch event.kind {
        case .step:
            object.add("type", "step")
            object.add("id", step.id)
            object.add("title", step.title)
            object.add("kind", step.kind.rawValue)
            object.add("index", event.step)
            if let side = step.side { object.add("side", side.rawValue) }
        case let .breath(phase, cycle):
            object.add("type", "breath")
            object.add("phase", phase.rawValue)
            object.add("cycle", cycle)
            object.add("step", step.id)
        case let .voice(cue, text, anchor, align):
            object.add("type", "voice")
            object.add("cue", cue)
            object.add("text", text)
            object.add("anchor", anchor.rawValue)
            object.add("align", align.rawValue)
            object.add("step", step.id)
        case let .hold(seconds, cycles):
            object.add("type", "hold")
            object.add("seconds", seconds.seconds, decimals: 1)
            object.add("cycles", cycles)
            object.add("step", step.id)
        case let .tone(name, level):
            object.add("type", "tone")
            object.add("name", name.rawValue)
            object.add("level", level)
            object.add("step", step.id)
        case let .wait(exportSeconds):
            object.add("type", "wait")
            object.add("exportSeconds", exportSeconds.seconds, decimals: 1)
            object.add("step", step.id)
        case let .tension(rep):
            object.add("type", "tension")
            object.add("rep", rep)
            object.add("step", step.id)
        }
        object.add("start", event.start)
        object.add("end", event.end)
        return object
    }
}
