/// A text file as the user named it, with its contents.
public struct SourceFile: Sendable, Hashable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// Decodes `bytes` as UTF-8 text.
    /// - Throws: a ``DiagnosticList`` (without excerpt) pointing at the first byte that is not text.
    public init(path: String, bytes: [UInt8]) throws(DiagnosticList) {
        // Text without control characters, valid UTF-8, is taken whole; only a file with a
        // problem is decoded scalar by scalar, to say where it is.
        let hasControl = bytes.contains { $0 < 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }
        if !hasControl, let text = String(validating: bytes, as: UTF8.self) {
            self.init(path: path, text: text)
            return
        }
        var line = 1
        var column = 1
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        decoding: while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar):
                if scalar.value == 0 || (scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r") {
                    throw Self.notText(path: path, line: line, column: column,
                                       detail: "control character U+\(String(scalar.value, radix: 16, uppercase: true))")
                }
                scalars.append(scalar)
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                break decoding
            case .error:
                throw Self.notText(path: path, line: line, column: column, detail: "a byte that is not UTF-8")
            }
        }
        self.init(path: path, text: String(scalars))
    }

    private static func notText(path: String, line: Int, column: Int, detail: String) -> DiagnosticList {
        DiagnosticList([Diagnostic(path: path, location: SourceLocation(line: line, column: column),
                                   message: "this is not a text file (\(detail)); expected UTF-8 YAML")],
                       source: nil)
    }
}
