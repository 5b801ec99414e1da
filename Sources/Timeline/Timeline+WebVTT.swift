extension Timeline {
    /// WebVTT captions: one cue per voice event with its German text and exact times.
    public var webVTT: String {
        var text = "WEBVTT\n\n"
        var number = 1
        for event in events {
            guard case let .voice(_, cueText, _, _) = event.kind else { continue }
            text += "\(number)\n\(vttTime(event.start)) --> \(vttTime(event.end))\n\(cueText)\n\n"
            number += 1
        }
        return text
    }

    /// `hh:mm:ss.ttt` of a frame position, rounded to the millisecond.
    func vttTime(_ position: Int64) -> String {
        let milliseconds = (position * 1000 + Int64(sampleRate) / 2) / Int64(sampleRate)
        let hours = milliseconds / 3_600_000
        let minutes = (milliseconds / 60_000) % 60
        let seconds = (milliseconds / 1000) % 60
        let fraction = milliseconds % 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let three = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(two(hours)):\(two(minutes)):\(two(seconds)).\(three)"
    }
}
