import JSONText
import SessionKit

extension Timeline {
    /// A picture of the session for its author: one row per two minutes, steps as coloured bands,
    /// the breath as a wave, voice cues as labelled blocks, holds and tensions marked.
    public var svg: String {
        SVGPicture(timeline: self).render()
    }
}

struct SVGPicture {
    let timeline: Timeline
    let rowSeconds = 120
    let pixelsPerSecond = 10.0
    let left = 70.0
    let rowHeight = 150.0
    let top = 50.0

    var rowFrames: Int64 { Int64(rowSeconds * timeline.sampleRate) }
    var rowCount: Int { max(1, Int((timeline.frameCount + rowFrames - 1) / rowFrames)) }
    var width: Double { left + Double(rowSeconds) * pixelsPerSecond + 30 }

    func x(_ position: Int64, row: Int) -> Double {
        let offset = Double(position - Int64(row) * rowFrames) / Double(timeline.sampleRate)
        return left + offset * pixelsPerSecond
    }

    func render() -> String {
        let height = top + Double(rowCount) * rowHeight + 20
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
        out += "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#fbfaf7\"/>\n"
        let length = timeline.lengthText(timeline.frameCount)
        out += "<text x=\"\(f(left))\" y=\"28\" font-size=\"18\" fill=\"#333\">\(escape(timeline.title)) — \(escape(timeline.sessionID)), \(length)</text>\n"
        for row in 0..<rowCount {
            out += renderRow(row)
        }
        return out + "</svg>\n"
    }

    func renderRow(_ row: Int) -> String {
        let rowStart = Int64(row) * rowFrames
        let rowEnd = min(rowStart + rowFrames, timeline.frameCount)
        let y0 = top + Double(row) * rowHeight
        var out = "<g class=\"row\" data-row=\"\(row)\">\n"
        out += "<text x=\"4\" y=\"\(f(y0 + 16))\" fill=\"#666\">\(timeline.clockText(rowStart))</text>\n"
        var tick = rowStart
        while tick <= rowEnd {
            let tx = x(tick, row: row)
            out += "<line x1=\"\(f(tx))\" y1=\"\(f(y0 + 24))\" x2=\"\(f(tx))\" y2=\"\(f(y0 + 128))\" stroke=\"#e4e1da\"/>\n"
            tick += Int64(10 * timeline.sampleRate)
        }
        var wave: [String] = []
        var voiceCount = 0
        for event in timeline.events where event.end > rowStart && event.start < rowEnd || (event.start == event.end && event.start >= rowStart && event.start < rowEnd) {
            let start = max(event.start, rowStart)
            let end = min(event.end, rowEnd)
            let x1 = x(start, row: row)
            let x2 = x(end, row: row)
            switch event.kind {
            case .step:
                let step = timeline.steps[event.step]
                out += "<rect x=\"\(f(x1))\" y=\"\(f(y0))\" width=\"\(f(max(0.5, x2 - x1)))\" height=\"22\" fill=\"\(color(step.kind))\" stroke=\"#fff\"><title>\(escape(step.title))</title></rect>\n"
                if x2 - x1 > 40 {
                    out += "<text x=\"\(f(x1 + 4))\" y=\"\(f(y0 + 15))\" fill=\"#222\">\(escape(clip(step.title, to: x2 - x1)))</text>\n"
                }
            case let .breath(phase, _):
                let low = y0 + 78
                let high = y0 + 34
                func level(_ position: Int64) -> Double {
                    let progress = Double(position - event.start) / Double(max(1, event.duration))
                    switch phase {
                    case .inhale: return low + (high - low) * progress
                    case .holdIn: return high
                    case .exhale: return high + (low - high) * progress
                    case .holdOut: return low
                    }
                }
                wave.append("M\(f(x1)),\(f(level(start))) L\(f(x2)),\(f(level(end)))")
            case let .voice(cue, text, _, _):
                out += "<rect x=\"\(f(x1))\" y=\"\(f(y0 + 88))\" width=\"\(f(max(1, x2 - x1)))\" height=\"18\" rx=\"3\" fill=\"#4f6d8f\"><title>\(escape(cue)): \(escape(text))</title></rect>\n"
                if event.start >= rowStart {
                    let labelY = y0 + (voiceCount % 2 == 0 ? 118 : 130)
                    out += "<text x=\"\(f(x1 + 2))\" y=\"\(f(labelY))\" font-size=\"9\" fill=\"#4f6d8f\">\(escape(cue))</text>\n"
                    voiceCount += 1
                }
            case let .hold(seconds, cycles):
                out += "<rect x=\"\(f(x1))\" y=\"\(f(y0 + 26))\" width=\"\(f(x2 - x1))\" height=\"58\" fill=\"none\" stroke=\"#b5473a\" stroke-dasharray=\"4 3\"><title>hold \(seconds) s, \(cycles) cycles</title></rect>\n"
                out += "<text x=\"\(f(x1 + 3))\" y=\"\(f(y0 + 38))\" fill=\"#b5473a\">hold \(seconds) s</text>\n"
            case .tension:
                out += "<rect x=\"\(f(x1))\" y=\"\(f(y0 + 30))\" width=\"\(f(x2 - x1))\" height=\"50\" fill=\"#e0a040\" opacity=\"0.35\"><title>tension</title></rect>\n"
            case .wait:
                out += "<rect x=\"\(f(x1))\" y=\"\(f(y0 + 30))\" width=\"\(f(x2 - x1))\" height=\"50\" fill=\"#9a9a9a\" opacity=\"0.2\"><title>wait for the user</title></rect>\n"
            case .tone:
                continue
            }
        }
        if !wave.isEmpty {
            out += "<path d=\"\(wave.joined(separator: " "))\" fill=\"none\" stroke=\"#3a8f6d\" stroke-width=\"2\"/>\n"
        }
        return out + "</g>\n"
    }

    func color(_ kind: Step.Kind) -> String {
        switch kind {
        case .say: "#d9e3ee"
        case .pause: "#eeeeee"
        case .breathe: "#d8eee3"
        case .sink: "#cfe6f0"
        case .hold: "#f3d9d4"
        case .contractRelax: "#f6e3c4"
        case .move: "#e6dcf2"
        case .wait: "#e5e5e5"
        case .rest: "#dcecd2"
        }
    }

    func clip(_ text: String, to width: Double) -> String {
        let fits = Int(width / 6.5)
        return text.count <= fits ? text : String(text.prefix(max(1, fits - 1))) + "…"
    }

    func f(_ value: Double) -> String { JSONObject.number(value, decimals: 1) }

    func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
