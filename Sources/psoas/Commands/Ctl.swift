import ArgumentParser
import Foundation
import Player
import SystemIO

/// `psoas ctl`: control a playing psoas through its socket.
struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Control a playing psoas: \(ControlProtocol.commandList).",
        discussion: """
            \(ControlProtocol.volumeHelp). \
            Prints the player's JSON reply on stdout. Exits 69 when no psoas is playing, 64 when \
            the player refuses the command.
            """
    )

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The command and its argument (volume +3).", valueName: "command"))
    var words: [String] = []

    func validate() throws {
        guard !words.isEmpty else { throw ValidationError("name a command: \(ControlProtocol.commandList)") }
        if case let .failure(error) = ControlProtocol.parse(words.joined(separator: " ")) {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        try reportingFailures {
            let reply: String
            do throws(SocketError) {
                reply = try UnixSocketClient.request(path: try ControlProtocol.socketPath(),
                                                     line: words.joined(separator: " "))
            } catch {
                throw Failure(message: "\(error.message)", code: .unavailable)
            }
            Console.output(reply + "\n")
            if reply.hasPrefix("{\"ok\":false") { throw ExitCode(Failure.ExitCodeValue.usage.rawValue) }
        }
    }
}
