extension Timeline {
    /// WebVTT captions: one cue per voice event with its German text and exact times.
    public var webVTT: String {
        var text = "WEBVTT\n\n"
        var number = 1
        for event in events {
            guard case let .voice(_, cueText, _, _) = event.kind else { continue }
            text += "\(number)\n\(clock.webVTT(event.start)) --> \(clock.webVTT(event.end))\n\(cueText)\n\n"
            number += 1
        }
        return text
    }
}
