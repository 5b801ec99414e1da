import ArgumentParser
import AudioIO
import Foundation
import Player

/// `psoas ctl`: control a playing psoas through its socket.
struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Control a playing psoas: pause, resume, toggle, next, back, extend, continue, safety, volume ±N, stop, status.",
        discussion: "Prints the player's JSON reply on stdout. Exits 69 when no psoas is playing."
    )

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command and its argument (volume +3).", valueName: "command"))
    var words: [String]

    func validate() throws {
        guard !words.isEmpty else { throw ValidationError("name a command: pause, resume, toggle, next, back, extend, continue, safety, volume ±N, stop, status") }
        if case let .failure(error) = ControlProtocol.parse(words.joined(separator: " ")) {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        try reportingFailures {
            let folder: String
            do throws(SocketError) {
                folder = try RuntimeFolder.path(environment: ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"])
            } catch {
                throw Failure(message: "error: \(error.message)", code: .unavailable)
            }
            let reply: String
            do throws(SocketError) {
                reply = try UnixSocketClient.request(path: folder + "/control.sock", line: words.joined(separator: " "))
            } catch {
                throw Failure(message: "error: \(error.message)", code: .unavailable)
            }
            Console.output(reply + "\n")
            if reply.hasPrefix("{\"ok\":false") { throw ExitCode(Failure.ExitCodeValue.usage.rawValue) }
        }
    }
}
