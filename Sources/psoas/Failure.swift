import ArgumentParser
import AudioIO
import SessionKit

/// A reason to stop with a message on stderr and a documented exit code.
struct Failure: Error {
    var message: String
    var code: ExitCodeValue

    /// The documented exit codes (sysexits).
    enum ExitCodeValue: Int32 {
        case usage = 64
        case dataError = 65
        case noInput = 66
        case unavailable = 69
        case cannotCreate = 73
        case ioError = 74
        case interrupted = 130
        /// The reader of standard output or a FIFO went away: quietly, as a shell reports
        /// a writer that SIGPIPE ended (128 + 13).
        case readerClosed = 141
    }

    static func usage(_ message: String) -> Failure { Failure(message: message, code: .usage) }
    static func data(_ message: String) -> Failure { Failure(message: message, code: .dataError) }
    static func noInput(_ message: String) -> Failure { Failure(message: message, code: .noInput) }
}

/// Runs a command body: a ``Failure`` or a diagnostic becomes its message on stderr and its exit code.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as Failure {
        if !failure.message.isEmpty { Console.error(failure.message) }
        throw ExitCode(failure.code.rawValue)
    } catch let list as DiagnosticList {
        Console.error(list.rendered)
        throw ExitCode(Failure.ExitCodeValue.dataError.rawValue)
    } catch let error as OverrideError {
        guard let place = error.place else {
            Console.error("error: " + error.message)
            throw ExitCode(Failure.ExitCodeValue.usage.rawValue)
        }
        // A value of the settings file: shown where it stands there.
        let source = FileBytes.read(path: place.path).flatMap { try? SourceFile(path: place.path, bytes: $0).text }
        Console.error(Diagnostic(path: place.path, location: place.location, message: error.message).rendered(source: source))
        throw ExitCode(Failure.ExitCodeValue.dataError.rawValue)
    }
}
