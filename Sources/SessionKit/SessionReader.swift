import Yams

/// One pass over one session file: the document's keys, its parameters, then its steps, every
/// problem collected by the ``YAMLReader`` it reads through.
final class SessionReader {
    let yaml: YAMLReader
    let cues: CueManifest?
    /// The parameters declared so far, with the values in effect.
    var parameters: [Parameter] = []
    /// The breath pattern of steps that name none.
    var sessionBreath = SessionLoader.defaultBreath

    init(file: SourceFile, cues: CueManifest?) {
        self.yaml = YAMLReader(file: file)
        self.cues = cues
    }

    /// Reads the whole session.
    /// - Returns: the session, or `nil` when it lacks what it cannot do without (problems are
    ///   then in ``yaml``).
    /// - Throws: ``OverrideError`` for an override the session refuses.
    func read(overrides: SessionOverrides) throws -> Session? {
        let root: Node
        do {
            guard let node = try yaml.document() else {
                yaml.report(yaml.error(at: .start, "the file is empty; a session needs 'id', 'title' and 'steps'"))
                return nil
            }
            root = node
        } catch {
            yaml.report(error)
            return nil
        }
        guard let mapping = yaml.collecting({ try self.yaml.mapping(root, in: "the session",
                allowed: ["id", "title", "breath", "parameters", "steps"]) }) else { return nil }

        let id = yaml.collecting { try self.yaml.identifier(self.yaml.required(mapping, "id", of: root, in: "the session"), key: "id") }
        let title = yaml.collecting { try self.yaml.text(self.yaml.required(mapping, "title", of: root, in: "the session"), key: "title") }
        if let parametersNode = mapping["parameters"] {
            yaml.collecting { try self.readParameters(parametersNode, holding: Self.holdParameterNames(in: mapping["steps"])) }
        }
        try applyOverrides(overrides)
        if let breath = yaml.optional(mapping, "breath", breathPattern) {
            sessionBreath = breath
        }
        if let breath = overrides.breath { sessionBreath = breath }

        var steps: [Step] = []
        if let stepsNode = yaml.collecting({ try self.yaml.required(mapping, "steps", of: root, in: "the session") }) {
            steps = readSteps(stepsNode, side: nil)
            if steps.isEmpty, yaml.diagnostics.isEmpty {
                yaml.report(yaml.error(stepsNode, "a session needs at least one step"))
            }
            if steps.count > Limits.maximumSteps {
                yaml.report(yaml.error(stepsNode, "the session has \(steps.count) steps; at most \(Limits.maximumSteps) are allowed"))
            }
        }
        guard let id, let title else { return nil }
        return Session(id: id, title: title, breath: sessionBreath, parameters: parameters, steps: steps)
    }

    // MARK: - Values that may name a parameter

    /// The text of a scalar, with `$name` replaced by the parameter's value in effect.
    func resolvedScalar(_ node: Node, key: String) throws(Diagnostic) -> (text: String, parameter: String?) {
        let raw = try yaml.scalarText(node, key: key)
        guard raw.hasPrefix("$") else { return (raw, nil) }
        let name = String(raw.dropFirst())
        guard let parameter = parameters.first(where: { $0.name == name }) else {
            let known = parameters.map { "$" + $0.name }
            let list = known.isEmpty ? "this session declares no parameters" : "this session declares \(known.joined(separator: ", "))"
            throw yaml.error(node, "unknown parameter '\(raw)'; \(list)")
        }
        return (parameter.value, name)
    }

    func breathPattern(_ node: Node) throws(Diagnostic) -> BreathPattern {
        let (text, parameter) = try resolvedScalar(node, key: "breath")
        return try yaml.breathPattern(node, text: text, note: Self.note(parameter))
    }

    func seconds(_ node: Node, key: String) throws(Diagnostic) -> Tenths {
        let (text, parameter) = try resolvedScalar(node, key: key)
        return try yaml.tenths(node, key: key, text: text, note: Self.note(parameter))
    }

    func count(_ node: Node, key: String, minimum: Int = 1) throws(Diagnostic) -> Int {
        let (text, parameter) = try resolvedScalar(node, key: key)
        return try yaml.count(node, key: key, minimum: minimum, text: text, note: Self.note(parameter))
    }

    /// ` (from parameter $hold)`, for a message about a value that came from a parameter.
    private static func note(_ parameter: String?) -> String {
        parameter.map { " (from parameter $\($0))" } ?? ""
    }

    /// A cue id, with `{side}` and `{parameter}` placeholders filled in.
    func cue(_ node: Node, key: String, side: Side?) throws(Diagnostic) -> CueUse {
        let raw = try yaml.scalarText(node, key: key)
        var id = raw
        if raw.contains("{side}") {
            guard let side else {
                throw yaml.error(node, "'{side}' in cue '\(raw)' only works inside a sides block")
            }
            id = raw.replacingAll("{side}", with: side.rawValue)
        }
        while let open = id.firstIndex(of: "{") {
            guard let close = id[open...].firstIndex(of: "}") else {
                throw yaml.error(node, "unclosed '{' in cue '\(raw)'")
            }
            let name = String(id[id.index(after: open)..<close])
            guard let parameter = parameters.first(where: { $0.name == name }) else {
                throw yaml.error(node, "unknown parameter '{\(name)}' in cue '\(raw)'")
            }
            id.replaceSubrange(open...close, with: parameter.value)
        }
        if let cues, cues.text(for: id) == nil {
            throw yaml.error(node, "unknown cue '\(id)'; it is not in the cue manifest \(cues.path)")
        }
        return CueUse(id: id, location: node.location)
    }
}
