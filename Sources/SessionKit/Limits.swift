import Yams

/// What a session file may ask for, so a hostile or broken file is a clear error instead of a
/// hang, a crash or unbounded memory.
public enum Limits {
    /// The largest session, manifest or pack file read.
    public static let maximumFileBytes = 1 << 20
    /// How deeply `[` and `{` may nest (the YAML composer recurses on them).
    public static let maximumFlowDepth = 64
    /// How many YAML nodes a document may hold once its aliases are followed.
    public static let maximumNodes = 100_000
    /// How many steps a session may have once `sides` blocks are expanded.
    public static let maximumSteps = 2_000
    /// The longest session, in seconds.
    public static let maximumSessionSeconds: Int64 = 6 * 60 * 60

    /// Checks the text before it is composed.
    static func checkText(_ file: SourceFile) throws(Diagnostic) {
        let size = file.text.utf8.count
        if size > maximumFileBytes {
            throw Diagnostic(path: file.path, location: .start,
                             message: "the file is \(size) bytes; a session file may hold at most \(maximumFileBytes) bytes (1 MiB)")
        }
        var depth = 0
        var line = 1
        var column = 0
        var quote: Character?
        var comment = false
        for character in file.text {
            column += 1
            if character == "\n" {
                line += 1
                column = 0
                comment = false
                continue
            }
            if comment { continue }
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "#": comment = true
            case "[", "{":
                depth += 1
                if depth > maximumFlowDepth {
                    throw Diagnostic(path: file.path, location: SourceLocation(line: line, column: column),
                                     message: "lists and mappings nest deeper than \(maximumFlowDepth) levels here")
                }
            case "]", "}": depth = max(0, depth - 1)
            default: continue
            }
        }
    }

    /// Checks the composed document: aliases may not blow it up past ``maximumNodes``.
    static func checkNodes(_ root: Node, path: String) throws(Diagnostic) {
        var count = 0
        var stack = [root]
        while let node = stack.popLast() {
            count += 1
            if count > maximumNodes {
                throw Diagnostic(path: path, location: root.location, message:
                    "the document holds more than \(maximumNodes) values once its aliases are expanded; use fewer aliases")
            }
            switch node {
            case let .mapping(mapping):
                for (key, value) in mapping {
                    stack.append(key)
                    stack.append(value)
                }
            case let .sequence(sequence): stack.append(contentsOf: sequence)
            case .scalar, .alias: continue
            }
        }
    }
}
