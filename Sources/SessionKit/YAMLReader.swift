import Yams

/// One pass over one YAML file: the document within ``Limits``, typed values read from its
/// nodes, and every problem collected with its line and column instead of stopping at the first.
///
/// The session, cue manifest, voice pack and settings loaders all read through it. Duplicate keys
/// are refused when the document is composed (``YAMLDocument``); unknown keys by ``mapping(_:in:allowed:)``.
final class YAMLReader {
    let file: SourceFile
    /// The problems found so far, in the order found.
    private(set) var diagnostics: [Diagnostic] = []

    init(file: SourceFile) {
        self.file = file
    }

    // MARK: - Problems

    func error(_ node: Node, _ message: String) -> Diagnostic {
        Diagnostic(path: file.path, location: node.location, message: message)
    }

    func error(at location: SourceLocation, _ message: String) -> Diagnostic {
        Diagnostic(path: file.path, location: location, message: message)
    }

    /// Records a problem and goes on reading.
    func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    /// Runs `body`; a diagnostic it throws is recorded and `nil` returned.
    @discardableResult
    func collecting<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let diagnostic as Diagnostic {
            report(diagnostic)
        } catch {
            report(self.error(at: .start, "\(error)"))
        }
        return nil
    }

    /// Reads the value of `key` with `read` when the mapping has it; a problem is recorded.
    func optional<T>(_ fields: [String: Node], _ key: String, _ read: (Node) throws -> T) -> T? {
        guard let node = fields[key] else { return nil }
        return collecting { try read(node) }
    }

    /// Every problem found, each once.
    /// - Parameter byPlace: in file order rather than in the order found.
    func problems(byPlace: Bool = false) -> DiagnosticList {
        var seen = Set<Diagnostic>()
        var unique = diagnostics.filter { seen.insert($0).inserted }
        if byPlace {
            unique.sort { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
        }
        return DiagnosticList(unique, source: file.text)
    }

    /// Throws ``problems(byPlace:)`` when any problem was found.
    func finish(byPlace: Bool = false) throws(DiagnosticList) {
        guard diagnostics.isEmpty else { throw problems(byPlace: byPlace) }
    }

    // MARK: - Document

    /// The file's root node, after the size and nesting limits on its text and the node limit on
    /// its aliases.
    /// - Returns: `nil` when the file holds no document (it is empty, or comments only).
    func document() throws(Diagnostic) -> Node? {
        try Limits.checkText(file)
        guard let root = try YAMLDocument.compose(file) else { return nil }
        try Limits.checkNodes(root, path: file.path)
        return root
    }

    // MARK: - Collections

    /// The keys of a mapping, each one of `allowed`.
    /// - Parameter context: what the mapping is, for messages (`the session`, `'hold'`).
    func mapping(_ node: Node, in context: String, allowed: [String]) throws(Diagnostic) -> [String: Node] {
        guard case let .mapping(mapping) = node else {
            throw error(node, "expected a mapping for \(context), found \(node.shapeDescription)")
        }
        var result: [String: Node] = [:]
        for (keyNode, valueNode) in mapping {
            let key = try scalarText(keyNode, key: "a key")
            guard allowed.contains(key) else {
                throw error(keyNode, "unknown key '\(key)' in \(context); expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            result[key] = valueNode
        }
        return result
    }

    /// The pairs of a mapping whose keys the caller reads itself, in file order.
    /// - Parameter expected: what it should be, for messages (`a mapping of level to value for 'levels'`).
    func pairs(_ node: Node, expected: String) throws(Diagnostic) -> Node.Mapping {
        guard case let .mapping(mapping) = node else {
            throw error(node, "expected \(expected), found \(node.shapeDescription)")
        }
        return mapping
    }

    /// The items of a list.
    /// - Parameter expected: what it should be, for messages (`a list of cues for 'cues'`).
    func list(_ node: Node, expected: String) throws(Diagnostic) -> [Node] {
        guard case let .sequence(sequence) = node else {
            throw error(node, "expected \(expected), found \(node.shapeDescription)")
        }
        return Array(sequence)
    }

    /// The value of `key`, which the mapping `node` must have.
    func required(_ mapping: [String: Node], _ key: String, of node: Node, in context: String) throws(Diagnostic) -> Node {
        guard let value = mapping[key] else {
            throw error(node, "\(context) needs '\(key)'")
        }
        return value
    }

    // MARK: - Scalars

    /// The text of a single value, as written.
    func scalarText(_ node: Node, key: String) throws(Diagnostic) -> String {
        guard case let .scalar(scalar) = node else {
            throw error(node, "expected a single value for '\(key)', found \(node.shapeDescription)")
        }
        return scalar.string
    }

    /// Text without surrounding white space, not empty.
    func text(_ node: Node, key: String) throws(Diagnostic) -> String {
        let value = try scalarText(node, key: key).trimmingWhitespace
        guard !value.isEmpty else { throw error(node, "'\(key)' must not be empty") }
        return value
    }

    /// An id or name: lowercase letters, digits, `-`, `_` and `.`.
    func identifier(_ node: Node, key: String) throws(Diagnostic) -> String {
        let value = try scalarText(node, key: key)
        let allowed = value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." }
        guard !value.isEmpty, allowed else {
            throw error(node, "'\(value)' is not a valid \(key); use lowercase letters, digits, '-', '_' and '.'")
        }
        return value
    }

    /// A finite number.
    func number(_ node: Node, key: String) throws(Diagnostic) -> Double {
        let value = try scalarText(node, key: key)
        guard let number = Double(value), number.isFinite else {
            throw error(node, "expected a number for '\(key)', found '\(value)'")
        }
        return number
    }

    /// `true` or `false` (and the other spellings YAML allows).
    func bool(_ node: Node, key: String) throws(Diagnostic) -> Bool {
        guard case let .scalar(scalar) = node, let value = Bool.construct(from: scalar) else {
            throw error(node, "expected true or false for '\(key)', found \(node.shapeDescription)")
        }
        return value
    }

    /// One case of `T`, by its raw value.
    /// - Parameter kind: what a value is (`a tone style`). With it the value is read as ``text(_:key:)``
    ///   and a wrong one reads `'loud' is not a tone style; expected glide, bell or off`; without it,
    ///   `expected inhale or exhale for 'at', found 'middle'`.
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, key: String, as _: T.Type = T.self,
                                                    naming kind: String? = nil) throws(Diagnostic) -> T
    where T.RawValue == String {
        let value: String
        if kind == nil {
            value = try scalarText(node, key: key)
        } else {
            value = try text(node, key: key)
        }
        if let choice = T(rawValue: value) { return choice }
        if let kind { throw error(node, "'\(value)' is not \(kind); expected \(T.choiceList)") }
        throw error(node, "expected \(T.choiceList) for '\(key)', found '\(value)'")
    }

    /// Tenths of a second (`45`, `7.5`).
    /// - Parameters:
    ///   - text: the value when the caller resolved it already, else the node's own text.
    ///   - note: added to the message, saying where the value came from.
    func tenths(_ node: Node, key: String, text: String? = nil, note: String = "") throws(Diagnostic) -> Tenths {
        let value = try resolved(text, of: node, key: key)
        guard let tenths = Tenths(parsing: Substring(value)) else {
            throw error(node, "expected seconds for '\(key)' (a number ≥ 0 with at most one decimal), found '\(value)'" + note)
        }
        return tenths
    }

    /// A whole number from `minimum` to 100 000.
    /// - Parameters:
    ///   - text: the value when the caller resolved it already, else the node's own text.
    ///   - note: added to the message, saying where the value came from.
    func count(_ node: Node, key: String, minimum: Int = 1, text: String? = nil, note: String = "") throws(Diagnostic) -> Int {
        let value = try resolved(text, of: node, key: key)
        guard let number = Int(value), number >= minimum, number <= 100_000 else {
            let expected = minimum == 0 ? "a whole number" : "a whole number of at least \(minimum)"
            throw error(node, "expected \(expected) for '\(key)', found '\(value)'" + note)
        }
        return number
    }

    /// A breath pattern (`4-6`, `4-2-6`).
    /// - Parameters:
    ///   - text: the value when the caller resolved it already, else the node's own text.
    ///   - note: added to the message, saying where the value came from.
    func breathPattern(_ node: Node, text: String? = nil, note: String = "") throws(Diagnostic) -> BreathPattern {
        let value = try resolved(text, of: node, key: "breath")
        do {
            return try BreathPattern(parsing: value)
        } catch {
            throw self.error(node, error.message + note)
        }
    }
}

extension YAMLReader {
    /// `text` when the caller resolved the value already, else the node's own text.
    private func resolved(_ text: String?, of node: Node, key: String) throws(Diagnostic) -> String {
        if let text { return text }
        return try scalarText(node, key: key)
    }
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// The raw values for a message: `glide, bell or off`.
    static var choiceList: String {
        let names = allCases.map(\.rawValue)
        guard let last = names.last, names.count > 1 else { return names.joined() }
        return names.dropLast().joined(separator: ", ") + " or " + last
    }
}
