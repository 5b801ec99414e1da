extension Timeline {
    /// Frame counts at this timeline's rate as text.
    var clock: ClockText { ClockText(sampleRate: sampleRate) }

    /// `m:ss.hh` of a frame position (``ClockText/position(_:)``).
    public func clockText(_ position: Int64) -> String { clock.position(position) }

    /// A length as people write it, to the nearest second: `7:28`, `1:02:05` (``ClockText/length(_:)``).
    public func lengthText(_ frames: Int64) -> String { clock.length(frames) }

    /// The human table of `psoas plan`: one row per step start, cue, hold, wait and tension
    /// (breath phases are summed up on their step's row).
    public var table: String {
        var rows: [[String]] = [["position", "step", "what", "text"]]
        for event in events {
            let step = steps[event.step]
            let what: String
            var text = ""
            switch event.kind {
            case .step:
                var summary = "▸ \(step.kind.rawValue)"
                if let breath = step.breath {
                    let cycles = events.reduce(0) { count, other in
                        if other.step == event.step, case .breath(.inhale, _) = other.kind { count + 1 } else { count }
                    }
                    summary += ", \(cycles) × \(breath)"
                }
                what = summary + ", " + clock.duration(event.duration)
            case let .voice(cue, cueText, anchor, align):
                what = "voice \(cue)" + (anchor == .step ? "" : " (\(align == .start ? "on" : "ends on") \(anchor.rawValue))")
                text = cueText
            case let .hold(seconds, cycles):
                what = "hold \(seconds) s → \(cycles) cycles, \(clock.duration(event.duration))"
            case let .wait(exportSeconds):
                what = "wait for the user (export: \(exportSeconds) s)"
            case let .tension(rep):
                what = "tension \(rep), \(clock.duration(event.duration))"
            case .tone(.chime, _):
                what = "chime, \(clock.duration(event.duration))"
            case .breath, .tone:
                continue
            }
            rows.append([clockText(event.start), step.title, what, text])
        }
        rows.append([clockText(frameCount), "", "end (\(title))", ""])
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            (0..<3).map { row[$0].padding(to: widths[$0]) }.joined(separator: "  ") + "  " + row[3]
        }.map { $0.trimmingTrailingSpaces }.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
