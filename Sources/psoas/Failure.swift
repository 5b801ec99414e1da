import ArgumentParser
import SessionKit
import SystemIO

/// A reason to stop with a message on stderr and a documented exit code.
struct Failure: Error {
    /// What went wrong, one entry per problem (a problem may go on with lines saying what to
    /// do), without the `error: ` that reporting puts before each.
    var problems: [String]
    var code: ExitCodeValue
    /// A line after the problems: what became of the work.
    var conclusion: String?
    /// Problems found in a file, already in `file:line:column: error: …` form.
    var diagnostics: DiagnosticList?

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

    init(problems: [String], code: ExitCodeValue, conclusion: String? = nil) {
        self.problems = problems
        self.code = code
        self.conclusion = conclusion
    }

    /// One problem, or none when `message` is empty (a quiet exit).
    init(message: String, code: ExitCodeValue) {
        self.init(problems: message.isEmpty ? [] : [message], code: code)
    }

    init(diagnostics: DiagnosticList) {
        self.init(problems: [], code: .dataError)
        self.diagnostics = diagnostics
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
        if let list = failure.diagnostics { Console.error(list.rendered) }
        failure.problems.forEach(Console.problem)
        if let conclusion = failure.conclusion { Console.error(conclusion) }
        throw ExitCode(failure.code.rawValue)
    } catch let list as DiagnosticList {
        Console.error(list.rendered)
        throw ExitCode(Failure.ExitCodeValue.dataError.rawValue)
    } catch let error as OverrideError {
        guard let place = error.place else {
            Console.problem(error.message)
            throw ExitCode(Failure.ExitCodeValue.usage.rawValue)
        }
        // A value of the settings file: shown where it stands there.
        let source = FileBytes.read(path: place.path).flatMap { try? SourceFile(path: place.path, bytes: $0).text }
        Console.error(Diagnostic(path: place.path, location: place.location, message: error.message).rendered(source: source))
        throw ExitCode(Failure.ExitCodeValue.dataError.rawValue)
    }
}
