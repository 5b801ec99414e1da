import Yams

/// Reads a session file into a ``Session``: checks every key and value, applies parameters and
/// command-line overrides, expands `sides` blocks.
///
/// Problems in the file are collected and thrown together as a ``DiagnosticList`` (exit 65);
/// a command-line value the session does not accept throws ``OverrideError`` (exit 64).
public struct SessionLoader: Sendable {
    /// The cue ids a session may use, with the manifest's path for messages; `nil` skips the check.
    public var cues: CueManifest?

    public init(cues: CueManifest?) {
        self.cues = cues
    }

    /// The breath pattern a session paces when its file names none.
    public static let defaultBreath = BreathPattern(inhale: Tenths(seconds: 4), exhale: Tenths(seconds: 6))

    /// Loads a session.
    /// - Parameters:
    ///   - file: the session file's path and text.
    ///   - overrides: parameter values and a breath pattern from the command line.
    /// - Returns: the session with every value concrete.
    /// - Throws: ``DiagnosticList`` for problems in the file, ``OverrideError`` for bad overrides.
    public func load(_ file: SourceFile, overrides: SessionOverrides = SessionOverrides()) throws -> Session {
        let reader = SessionReader(file: file, cues: cues)
        let session = try reader.read(overrides: overrides)
        guard reader.diagnostics.isEmpty, let session else {
            throw DiagnosticList(reader.uniqueDiagnostics, source: file.text)
        }
        return session
    }
}

// MARK: - Reading

/// One pass over one file; collects diagnostics as it goes.
final class SessionReader {
    let file: SourceFile
    let cues: CueManifest?
    var diagnostics: [Diagnostic] = []
    var parameters: [Parameter] = []
    var sessionBreath = SessionLoader.defaultBreath

    init(file: SourceFile, cues: CueManifest?) {
        self.file = file
        self.cues = cues
    }

    var uniqueDiagnostics: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }
    }

    func error(_ node: Node, _ message: String) -> Diagnostic {
        Diagnostic(path: file.path, location: node.location, message: message)
    }

    func error(at location: SourceLocation, _ message: String) -> Diagnostic {
        Diagnostic(path: file.path, location: location, message: message)
    }

    /// Runs `body`; a diagnostic it throws is recorded and `nil` returned.
    @discardableResult
    func collecting<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let diagnostic as Diagnostic {
            diagnostics.append(diagnostic)
        } catch {
            diagnostics.append(self.error(at: .start, "\(error)"))
        }
        return nil
    }

    func read(overrides: SessionOverrides) throws -> Session? {
        let root: Node
        do {
            try Limits.checkText(file)
            guard let node = try YAMLDocument.compose(file) else {
                diagnostics.append(error(at: .start,
                    "the file is empty; a session needs 'id', 'title' and 'steps'"))
                return nil
            }
            try Limits.checkNodes(node, path: file.path)
            root = node
        } catch {
            diagnostics.append(error)
            return nil
        }
        guard let mapping = collecting({ try self.mapping(root, in: "the session",
                allowed: ["id", "title", "breath", "parameters", "steps"]) }) else { return nil }

        let id = collecting { try self.identifier(self.required(mapping, "id", of: root, in: "the session"), key: "id") }
        let title = collecting { try self.text(self.required(mapping, "title", of: root, in: "the session"), key: "title") }
        if let parametersNode = mapping["parameters"] {
            collecting { try self.readParameters(parametersNode) }
        }
        try applyOverrides(overrides)
        if let breathNode = mapping["breath"], let breath = collecting({ try self.breathPattern(breathNode) }) {
            sessionBreath = breath
        }
        if let breath = overrides.breath { sessionBreath = breath }

        var steps: [Step] = []
        if let stepsNode = collecting({ try self.required(mapping, "steps", of: root, in: "the session") }) {
            steps = readSteps(stepsNode, side: nil)
            if steps.isEmpty, diagnostics.isEmpty {
                diagnostics.append(error(stepsNode, "a session needs at least one step"))
            }
            if steps.count > Limits.maximumSteps {
                diagnostics.append(error(stepsNode, "the session has \(steps.count) steps; at most \(Limits.maximumSteps) are allowed"))
            }
        }
        guard let id, let title else { return nil }
        return Session(id: id, title: title, breath: sessionBreath, parameters: parameters, steps: steps)
    }

    // MARK: Parameters

    func readParameters(_ node: Node) throws {
        guard case let .mapping(mapping) = node else {
            throw error(node, "expected a mapping of parameters (name: {default: …}) for 'parameters', found \(node.shapeDescription)")
        }
        for (keyNode, valueNode) in mapping {
            collecting {
                let name = try self.identifier(keyNode, key: "a parameter name")
                let fields = try self.mapping(valueNode, in: "parameter '\(name)'",
                                              allowed: ["default", "min", "max", "unit", "choices", "levels"])
                let defaultNode = try self.required(fields, "default", of: valueNode, in: "parameter '\(name)'")
                let defaultValue = try self.scalarText(defaultNode, key: "default")
                let minimum = try fields["min"].map { try self.number($0, key: "min") }
                let maximum = try fields["max"].map { try self.number($0, key: "max") }
                let unit = try fields["unit"].map { try self.scalarText($0, key: "unit") }
                let choices = try fields["choices"].map { try self.choiceList($0) }
                var parameter = Parameter(name: name, value: defaultValue, defaultValue: defaultValue,
                                          minimum: minimum, maximum: maximum, unit: unit, choices: choices)
                if let problem = parameter.problem(with: defaultValue) {
                    throw self.error(defaultNode, "the default of parameter '\(name)' is not allowed: \(problem)")
                }
                if let levelsNode = fields["levels"] {
                    parameter.levelDefaults = try self.levelDefaults(levelsNode, for: parameter)
                }
                self.parameters.append(parameter)
            }
        }
    }

    /// `levels: {beginner: 45, advanced: 75}`: the parameter's default at each level of the
    /// session's `level` parameter (which must be declared first).
    func levelDefaults(_ node: Node, for parameter: Parameter) throws -> [String: String] {
        guard case let .mapping(mapping) = node else {
            throw error(node, "expected a mapping of level to value for 'levels', found \(node.shapeDescription)")
        }
        guard let level = parameters.first(where: { $0.name == "level" }), let levels = level.choices else {
            throw error(node, "'levels' needs a parameter 'level' with choices, declared before '\(parameter.name)'")
        }
        var result: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            let name = try scalarText(keyNode, key: "a level")
            guard levels.contains(name) else {
                throw error(keyNode, "unknown level '\(name)'; parameter 'level' has: \(levels.joined(separator: ", "))")
            }
            let value = try scalarText(valueNode, key: name)
            if let problem = parameter.problem(with: value) {
                throw error(valueNode, "the \(name) default of parameter '\(parameter.name)' is not allowed: \(problem)")
            }
            result[name] = value
        }
        return result
    }

    func choiceList(_ node: Node) throws -> [String] {
        guard case let .sequence(sequence) = node, !sequence.isEmpty else {
            throw error(node, "expected a list of choices for 'choices', found \(node.shapeDescription)")
        }
        return try sequence.map { try scalarText($0, key: "choices") }
    }

    func applyOverrides(_ overrides: SessionOverrides) throws {
        var overridden = Set<String>()
        for override in overrides.values {
            guard let index = parameters.firstIndex(where: { $0.name == override.name }) else {
                // The settings apply to every session; most declare only some parameters.
                if override.place != nil { continue }
                let known = parameters.map(\.name)
                let list = known.isEmpty ? "it has no parameters" : "its parameters are: \(known.joined(separator: ", "))"
                throw OverrideError(message: "\(override.option): this session has no parameter '\(override.name)'; \(list)")
            }
            if let problem = parameters[index].problem(with: override.value) {
                throw OverrideError(message: "\(override.option): \(problem)", place: override.place)
            }
            parameters[index].value = override.value
            overridden.insert(override.name)
        }
        // Defaults that follow the level, unless the command line or the settings set the value itself.
        guard let level = parameters.first(where: { $0.name == "level" })?.value else { return }
        for index in parameters.indices where !overridden.contains(parameters[index].name) {
            if let value = parameters[index].levelDefaults[level] { parameters[index].value = value }
        }
    }

    /// The text of a scalar, with `$name` replaced by the parameter's value in effect.
    func resolvedScalar(_ node: Node, key: String) throws -> (text: String, parameter: String?) {
        let raw = try scalarText(node, key: key)
        guard raw.hasPrefix("$") else { return (raw, nil) }
        let name = String(raw.dropFirst())
        guard let parameter = parameters.first(where: { $0.name == name }) else {
            let known = parameters.map { "$" + $0.name }
            let list = known.isEmpty ? "this session declares no parameters" : "this session declares \(known.joined(separator: ", "))"
            throw error(node, "unknown parameter '\(raw)'; \(list)")
        }
        return (parameter.value, name)
    }

    // MARK: Steps

    func readSteps(_ node: Node, side: Side?) -> [Step] {
        guard case let .sequence(sequence) = node else {
            diagnostics.append(error(node, "expected a list of steps, found \(node.shapeDescription)"))
            return []
        }
        var steps: [Step] = []
        for stepNode in sequence {
            steps += collecting { try self.readStep(stepNode, side: side) } ?? []
        }
        return steps
    }

    func readStep(_ node: Node, side: Side?) throws -> [Step] {
        guard case let .mapping(mapping) = node, mapping.count == 1, let (keyNode, valueNode) = mapping.first else {
            if case let .mapping(mapping) = node, mapping.count > 1 {
                let keys = mapping.keys.map { "'\($0.string ?? "?")'" }.joined(separator: ", ")
                throw error(node, "a step has exactly one kind, found \(keys); start a new list item ('- ') for each step")
            }
            throw error(node, "expected a step such as '- say: intro' or '- hold: {seconds: 60}', found \(node.shapeDescription)")
        }
        let kindName = try scalarText(keyNode, key: "step kind")
        if kindName == "sides" {
            return try readSides(valueNode, outer: side, at: keyNode)
        }
        guard let kind = Step.Kind(rawValue: kindName) else {
            let kinds = Step.Kind.allCases.map(\.rawValue) + ["sides"]
            throw error(keyNode, "unknown step kind '\(kindName)'; expected one of: \(kinds.joined(separator: ", "))")
        }
        return [try StepReader(reader: self, kind: kind, node: valueNode, keyNode: keyNode, side: side).read()]
    }

    func readSides(_ node: Node, outer: Side?, at keyNode: Node) throws -> [Step] {
        if outer != nil {
            throw error(keyNode, "a sides block cannot contain another sides block")
        }
        var selected = Side.allCases
        if let parameter = parameters.first(where: { $0.name == "sides" }) {
            switch parameter.value {
            case "left": selected = [.left]
            case "right": selected = [.right]
            case "both": selected = [.left, .right]
            default:
                throw error(keyNode, "parameter 'sides' is '\(parameter.value)'; expected left, right or both")
            }
        }
        guard case .sequence = node else {
            throw error(node, "expected a list of steps for 'sides', found \(node.shapeDescription)")
        }
        return selected.flatMap { readSteps(node, side: $0) }
    }

    // MARK: Values

    func mapping(_ node: Node, in context: String, allowed: [String]) throws -> [String: Node] {
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

    func required(_ mapping: [String: Node], _ key: String, of node: Node, in context: String) throws -> Node {
        guard let value = mapping[key] else {
            throw error(node, "\(context) needs '\(key)'")
        }
        return value
    }

    func scalarText(_ node: Node, key: String) throws -> String {
        guard case let .scalar(scalar) = node else {
            throw error(node, "expected a single value for '\(key)', found \(node.shapeDescription)")
        }
        return scalar.string
    }

    func text(_ node: Node, key: String) throws -> String {
        let value = try scalarText(node, key: key).trimmingWhitespace
        guard !value.isEmpty else { throw error(node, "'\(key)' must not be empty") }
        return value
    }

    func identifier(_ node: Node, key: String) throws -> String {
        let value = try scalarText(node, key: key)
        let allowed = value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." }
        guard !value.isEmpty, allowed else {
            throw error(node, "'\(value)' is not a valid \(key == "id" ? "id" : key); use lowercase letters, digits, '-', '_' and '.'")
        }
        return value
    }

    func number(_ node: Node, key: String) throws -> Double {
        let value = try scalarText(node, key: key)
        guard let number = Double(value), number.isFinite else {
            throw error(node, "expected a number for '\(key)', found '\(value)'")
        }
        return number
    }

    func breathPattern(_ node: Node) throws -> BreathPattern {
        let (value, parameter) = try resolvedScalar(node, key: "breath")
        do {
            return try BreathPattern(parsing: value)
        } catch {
            throw self.error(node, error.message + (parameter.map { " (from parameter $\($0))" } ?? ""))
        }
    }

    func seconds(_ node: Node, key: String) throws -> Tenths {
        let (value, parameter) = try resolvedScalar(node, key: key)
        guard let tenths = Tenths(parsing: Substring(value)) else {
            throw error(node, "expected seconds for '\(key)' (a number ≥ 0 with at most one decimal), found '\(value)'"
                + (parameter.map { " (from parameter $\($0))" } ?? ""))
        }
        return tenths
    }

    func count(_ node: Node, key: String, minimum: Int = 1) throws -> Int {
        let (value, parameter) = try resolvedScalar(node, key: key)
        guard let number = Int(value), number >= minimum, number <= 100_000 else {
            let expected = minimum == 0 ? "a whole number" : "a whole number of at least \(minimum)"
            throw error(node, "expected \(expected) for '\(key)', found '\(value)'"
                + (parameter.map { " (from parameter $\($0))" } ?? ""))
        }
        return number
    }

    /// A cue id, with `{side}` and `{parameter}` placeholders filled in.
    func cue(_ node: Node, key: String, side: Side?) throws -> CueUse {
        let raw = try scalarText(node, key: key)
        var id = raw
        if raw.contains("{side}") {
            guard let side else {
                throw error(node, "'{side}' in cue '\(raw)' only works inside a sides block")
            }
            id = raw.replacingAll("{side}", with: side.rawValue)
        }
        while let open = id.firstIndex(of: "{") {
            guard let close = id[open...].firstIndex(of: "}") else {
                throw error(node, "unclosed '{' in cue '\(raw)'")
            }
            let name = String(id[id.index(after: open)..<close])
            guard let parameter = parameters.first(where: { $0.name == name }) else {
                throw error(node, "unknown parameter '{\(name)}' in cue '\(raw)'")
            }
            id.replaceSubrange(open...close, with: parameter.value)
        }
        if let cues, cues.text(for: id) == nil {
            throw error(node, "unknown cue '\(id)'; it is not in the cue manifest \(cues.path)")
        }
        return CueUse(id: id, location: node.location)
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
