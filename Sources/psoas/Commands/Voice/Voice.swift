import ArgumentParser

/// `psoas voice`: voice packs and the cues they speak.
struct Voice: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voice",
        abstract: "Work with voice packs and the cue manifest.",
        subcommands: [List.self, Record.self, Import.self, Check.self, Cues.self, Normalize.self]
    )
}
