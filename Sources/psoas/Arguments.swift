import ArgumentParser
import SessionKit

// Command-line values are typed where they are read: a value the grammar refuses is a usage
// error (exit 64) naming the option, the value and what is allowed, and the help shows the
// same grammar and range the check uses.

extension Tenths: ExpressibleByArgument {
    /// The tenths grammar of session files: `45`, `45.5`.
    public init?(argument: String) { self.init(parsing: Substring(argument)) }

    /// Reads a number in the tenths grammar, within `range` when one is given.
    /// - Parameter unit: `seconds` or `minutes`, for the message.
    static func argument(_ text: String, unit: String, in range: ClosedRange<Tenths>? = nil) throws -> Tenths {
        let allowed = range.map { "a number of \(unit) from \($0.lowerBound) to \($0.upperBound)" }
            ?? "a number of \(unit)"
        guard let value = Tenths(argument: text), range?.contains(value) ?? true else {
            throw ValidationError("expected \(allowed) with at most one decimal, like 5 or 7.5")
        }
        return value
    }
}

extension BreathPattern: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }

    /// Reads a breath pattern; the message says what is wrong with it.
    static func argument(_ text: String) throws -> BreathPattern {
        do {
            return try BreathPattern(parsing: text)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

extension Int {
    /// Reads a whole number within `range`.
    static func argument(_ text: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ValidationError("expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

extension SessionOverrides.Value {
    /// The value as it was given: `--hold 45`, `--set hold=45`, or `parameter 'hold'` of the settings.
    var given: String {
        guard place == nil else { return option }
        return option.hasPrefix("--set ") ? "\(option)=\(value)" : "\(option) \(value)"
    }
}

/// `--quiet`, for the commands that print notices.
struct NoticeOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print no notices (cues a voice pack takes from another, files written, progress); errors and warnings still appear.")
    var quiet = false

    /// Makes the choice for the whole run.
    func apply() { Console.quiet = quiet }
}
