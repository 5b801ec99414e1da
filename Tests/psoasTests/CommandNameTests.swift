import ArgumentParser
import Testing
@testable import psoas

/// Every command names itself: a name swift-argument-parser has to derive from the type costs
/// reflection at every start of psoas (see ``Psoas``).
@Suite struct CommandNameTests {
    /// The commands below `command`, itself included, each with its path (`psoas voice list`).
    func commands(_ command: ParsableCommand.Type, path: [String] = []) -> [(path: String, type: ParsableCommand.Type)] {
        let name = command.configuration.commandName ?? "<\(command)>"
        let here = path + [name]
        return [(here.joined(separator: " "), command)]
            + command.configuration.subcommands.flatMap { commands($0, path: here) }
    }

    @Test func everyCommandHasItsNameInItsConfiguration() {
        let all = commands(Psoas.self)
        #expect(all.count > 10, "found only \(all.map(\.path))")
        let unnamed = all.filter { $0.type.configuration.commandName == nil }.map(\.path)
        #expect(unnamed.isEmpty, "commands without commandName: \(unnamed)")
    }

    @Test func theNamesAreTheOnesTheTypesWouldGive() {
        // The names the commands had before they named themselves: the type's name, snake-cased
        // (breathe's pacing, its default subcommand, and calibrate came later with those names).
        let expected = ["psoas", "psoas play", "psoas export", "psoas plan", "psoas check", "psoas sessions",
                        "psoas breathe", "psoas breathe pace", "psoas breathe calibrate", "psoas ctl", "psoas log", "psoas voice", "psoas voice list",
                        "psoas voice record", "psoas voice import", "psoas voice check", "psoas voice cues",
                        "psoas voice normalize", "psoas config", "psoas devices"]
        #expect(commands(Psoas.self).map(\.path).sorted() == expected.sorted())
    }
}
