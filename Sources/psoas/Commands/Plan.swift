import ArgumentParser
import Foundation
import Planning
import SessionKit

/// `psoas plan`: the timeline of a session as a table, JSON or a picture.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show when every cue, breath and hold happens.",
        discussion: "Prints a table by default; --json prints the timeline for programs, --svg draws it."
    )

    @Argument(help: ArgumentHelp("A built-in session id, a session file, or - for standard input.", valueName: "session"), completion: Completions.sessions)
    var session: String = "psoas"

    @OptionGroup var options: SessionOptions
    @OptionGroup var format: FormatOptions

    @Flag(help: "Print the timeline as JSON on stdout.")
    var json = false

    @Option(help: ArgumentHelp("Write a picture of the session to this SVG file (- for stdout).", valueName: "file"))
    var svg: String?

    func validate() throws {
        if json, svg != nil { throw ValidationError("--json and --svg: choose one") }
    }

    @OptionGroup var notices: NoticeOptions

    func run() throws {
        notices.apply()
        try reportingFailures {
            let timeline = try options.planned(session, format: format, settings: try Library.settings()).timeline
            if json {
                Console.output(timeline.json)
            } else if let svg {
                try OutputFile.writeAtomically(Data(timeline.svg.utf8), to: svg)
                if svg != "-" { Console.notice("wrote \(svg): \(timeline.title), \(timeline.lengthText(timeline.frameCount))") }
            } else {
                Console.output(timeline.table)
            }
        }
    }
}
