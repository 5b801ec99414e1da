/// A line and column in a text file, both counted from 1 (columns in Unicode scalars).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static let start = SourceLocation(line: 1, column: 1)

    public var description: String { "\(line):\(column)" }
}

/// A place in a file: its path and a location in it.
public struct FilePlace: Hashable, Sendable {
    public var path: String
    public var location: SourceLocation

    public init(path: String, location: SourceLocation) {
        self.path = path
        self.location = location
    }
}

/// One problem in a session, cue manifest or voice pack file, with where it is.
public struct Diagnostic: Error, Hashable, Sendable {
    /// The file as the user named it.
    public var path: String
    public var location: SourceLocation
    public var message: String

    public init(path: String, location: SourceLocation, message: String) {
        self.path = path
        self.location = location
        self.message = message
    }

    /// `path:line:column: error: message`, then the source line and a caret under the column.
    /// - Parameter source: the file's text, or `nil` when it is not text (no excerpt then).
    public func rendered(source: String?) -> String {
        var text = "\(path):\(location.line):\(location.column): error: \(message)"
        guard let source, let line = Self.line(location.line, of: source) else { return text }
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count)
        let padding = String(String.UnicodeScalarView(
            line.unicodeScalars.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " }))
        text += "\n \(number) | \(line)"
        text += "\n \(gutter) | \(padding)^"
        return text
    }

    private static func line(_ number: Int, of source: String) -> Substring? {
        var current = 1
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == number { return line.hasSuffix("\r") ? line.dropLast() : line }
            current += 1
        }
        return nil
    }
}

/// Every problem found in one file; thrown by loaders that collect rather than stop at the first.
public struct DiagnosticList: Error, Sendable {
    public var diagnostics: [Diagnostic]
    /// The file's text, for excerpts; `nil` when the file is not text.
    public var source: String?

    public init(_ diagnostics: [Diagnostic], source: String?) {
        self.diagnostics = diagnostics
        self.source = source
    }

    public var rendered: String {
        diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n")
    }
}
