import ArgumentParser

extension Voice {
    /// `psoas voice cues`: every cue id with its German text.
    struct Cues: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cues",
            abstract: "Print every cue id and its German text, tab-separated, on stdout."
        )

        func run() throws {
            try reportingFailures {
                let manifest = try Library.locate().manifest()
                var text = ""
                for id in manifest.ids {
                    text += id + "\t" + (manifest.text(for: id) ?? "") + "\n"
                }
                Console.output(text)
            }
        }
    }
}
