import Yams

/// Composes a YAML file into nodes and turns Yams' errors into diagnostics.
enum YAMLDocument {
    /// The root node of `file`, or `nil` when the file holds no document at all.
    static func compose(_ file: SourceFile) throws(Diagnostic) -> Node? {
        do {
            return try Yams.compose(yaml: file.text)
        } catch let error as YamlError {
            throw diagnostic(for: error, path: file.path)
        } catch {
            throw Diagnostic(path: file.path, location: .start, message: "cannot read YAML: \(error)")
        }
    }

    private static func diagnostic(for error: YamlError, path: String) -> Diagnostic {
        func at(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> Diagnostic {
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
            }
            return Diagnostic(path: path, location: SourceLocation(line: mark.line, column: mark.column),
                              message: message)
        }
        switch error {
        case let .scanner(context, problem, mark, _): return at(mark, problem, context)
        case let .parser(context, problem, mark, _): return at(mark, problem, context)
        case let .composer(context, problem, mark, _): return at(mark, problem, context)
        case let .duplicatedKeysInMapping(duplicates, context):
            return Diagnostic(path: path, location: SourceLocation(line: context.mark.line, column: context.mark.column),
                              message: "duplicate key '\(duplicates.joined(separator: "', '"))' in one mapping")
        default:
            return Diagnostic(path: path, location: .start, message: "invalid YAML: \(error)")
        }
    }
}

extension Node {
    var location: SourceLocation {
        guard let mark else { return .start }
        return SourceLocation(line: mark.line, column: mark.column)
    }

    /// What a node is, for messages: `a mapping`, `a list`, `'abc'`.
    var shapeDescription: String {
        switch self {
        case let .scalar(scalar): scalar.string.isEmpty ? "nothing" : "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
