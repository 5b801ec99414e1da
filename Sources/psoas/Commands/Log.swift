import ArgumentParser
import Foundation
import JSONText
import Planning
import PracticeLog

/// `psoas log`: what was played, this week's count, days since the last massage.
struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the practice log: recent sessions, this week's massages, days since the last one.",
        discussion: "The log is $XDG_DATA_HOME/psoas/practice.sqlite; every 'psoas play' adds to it."
    )

    @Flag(help: "Print the entries as a JSON array on stdout.")
    var json = false

    @Option(help: "How many entries to show.")
    var limit: Int = 20

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit \(limit): expected 1 to 10000") }
    }

    func run() throws {
        try reportingFailures {
            let log: PracticeLog
            let entries: [PracticeEntry]
            let lastMassage: Date?
            let thisWeek: Int
            do throws(PracticeLog.Failure) {
                log = try PracticeLog(path: PracticeLogging.path)
                entries = try log.recent(limit: limit)
                lastMassage = try log.lastCompletedMassage()
                thisWeek = try log.completedMassageCount(since: Date().addingTimeInterval(-7 * 86_400))
            } catch {
                throw Failure.data("""
                    \(error.description)
                    The file is damaged or is not a psoas log. Move it away (mv \(error.path) \(error.path).broken) \
                    and the next 'psoas play' starts a new log.
                    """)
            }
            if json {
                Console.output("[" + entries.map(Self.json).joined(separator: ",\n") + "]\n")
                return
            }
            guard !entries.isEmpty else {
                Console.output("No sessions logged yet (\(log.path)).\n")
                return
            }
            var text = ""
            let format = DateFormatter()
            format.dateFormat = "yyyy-MM-dd HH:mm"
            for entry in entries {
                let played = Int(entry.playedSeconds.rounded())
                let status = entry.completed ? "completed" : "stopped"
                let options = entry.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                text += "\(format.string(from: entry.startedAt))  \(entry.sessionID.padded(10))  \(status.padded(9))  \(ClockText.minutesAndSeconds(played))  \(options)\n"
            }
            text += "\ncompleted massages in the last 7 days: \(thisWeek)\n"
            if let lastMassage {
                let days = Int(Date().timeIntervalSince(lastMassage) / 86_400)
                text += "days since the last completed massage: \(days)\n"
            } else {
                text += "no completed massage yet\n"
            }
            Console.output(text)
        }
    }

    static func json(_ entry: PracticeEntry) -> String {
        var object = JSONObject()
        object.add("id", Int(entry.id ?? 0))
        object.add("session", entry.sessionID)
        object.add("startedAt", ISO8601DateFormatter().string(from: entry.startedAt))
        object.add("endedAt", ISO8601DateFormatter().string(from: entry.endedAt))
        object.add("massage", entry.isMassage)
        object.add("completed", entry.completed)
        object.add("playedSeconds", entry.playedSeconds, decimals: 3)
        var options = JSONObject()
        for (key, value) in entry.options.sorted(by: { $0.key < $1.key }) { options.add(key, value) }
        object.addRaw("options", options.text)
        object.add("pauses", entry.pauses)
        object.add("skips", entry.skips)
        object.add("extends", entry.extends)
        object.add("safetyStops", entry.safetyStops)
        object.add("xruns", entry.xruns)
        return object.text
    }
}
