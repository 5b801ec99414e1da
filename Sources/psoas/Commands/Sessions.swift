import ArgumentParser
import JSONText
import Planning
import SessionKit

/// `psoas sessions`: the built-in sessions.
struct Sessions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List the built-in sessions with their length at your settings (else the defaults)."
    )

    @Flag(help: "Print the list as JSON on stdout.")
    var json = false

    @OptionGroup var notices: NoticeOptions

    func run() throws {
        notices.apply()
        try reportingFailures {
            let library = try Library.locate()
            let settings = try Library.settings()
            var rows: [(id: String, title: String, timeline: Timeline)] = []
            for id in library.builtinSessionIDs() {
                let planned = try PlannedSession.prepare(id, library: library, overrides: settings.overrides,
                                                         voice: settings.voice ?? Library.builtinVoice,
                                                         options: PlanOptions(tones: settings.tones ?? .glide))
                rows.append((id, planned.session.title, planned.timeline))
            }
            if json {
                let items = rows.map { row -> String in
                    var object = JSONObject()
                    object.add("id", row.id)
                    object.add("title", row.title)
                    object.add("seconds", row.timeline.durationInSeconds, decimals: 2)
                    return object.text
                }
                Console.output("[" + items.joined(separator: ",\n") + "]\n")
                return
            }
            let idWidth = max(2, rows.map(\.id.count).max() ?? 0)
            let titleWidth = max(5, rows.map(\.title.count).max() ?? 0)
            var text = "id".padded(idWidth) + "  " + "title".padded(titleWidth) + "  duration\n"
            for row in rows {
                text += row.id.padded(idWidth) + "  " + row.title.padded(titleWidth) + "  "
                    + row.timeline.lengthText(row.timeline.frameCount) + "\n"
            }
            Console.output(text)
        }
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
