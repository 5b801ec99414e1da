import Yams

extension SessionReader {
    /// Reads the `parameters` mapping; each parameter's problems are reported and the others read.
    /// - Parameter holding: the parameters a `hold` step takes its seconds from; one that
    ///   declares no `min` and no `max` is kept to ``StepReader/holdRange``.
    func readParameters(_ node: Node, holding: Set<String>) throws(Diagnostic) {
        let pairs = try yaml.pairs(node, expected: "a mapping of parameters (name: {default: …}) for 'parameters'")
        for (keyNode, valueNode) in pairs {
            yaml.collecting {
                let name = try self.yaml.identifier(keyNode, key: "a parameter name")
                let context = "parameter '\(name)'"
                let fields = try self.yaml.mapping(valueNode, in: context,
                                                   allowed: ["default", "min", "max", "unit", "choices", "levels"])
                let defaultNode = try self.yaml.required(fields, "default", of: valueNode, in: context)
                let defaultValue = try self.yaml.scalarText(defaultNode, key: "default")
                var minimum = try fields["min"].map { node throws(Diagnostic) in try self.yaml.number(node, key: "min") }
                var maximum = try fields["max"].map { node throws(Diagnostic) in try self.yaml.number(node, key: "max") }
                if holding.contains(name), minimum == nil, maximum == nil {
                    minimum = StepReader.holdRange.lowerBound.seconds
                    maximum = StepReader.holdRange.upperBound.seconds
                }
                let unit = try fields["unit"].map { node throws(Diagnostic) in try self.yaml.scalarText(node, key: "unit") }
                let choices = try fields["choices"].map { node throws(Diagnostic) in try self.choiceList(node) }
                var parameter = Parameter(name: name, value: defaultValue, defaultValue: defaultValue,
                                          minimum: minimum, maximum: maximum, unit: unit, choices: choices)
                if let problem = parameter.problem(with: defaultValue) {
                    throw self.yaml.error(defaultNode, "the default of parameter '\(name)' is not allowed: \(problem)")
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
    func levelDefaults(_ node: Node, for parameter: Parameter) throws(Diagnostic) -> [String: String] {
        let pairs = try yaml.pairs(node, expected: "a mapping of level to value for 'levels'")
        guard let level = parameters.first(where: { $0.name == "level" }), let levels = level.choices else {
            throw yaml.error(node, "'levels' needs a parameter 'level' with choices, declared before '\(parameter.name)'")
        }
        var result: [String: String] = [:]
        for (keyNode, valueNode) in pairs {
            let name = try yaml.scalarText(keyNode, key: "a level")
            guard levels.contains(name) else {
                throw yaml.error(keyNode, "unknown level '\(name)'; parameter 'level' has: \(levels.joined(separator: ", "))")
            }
            let value = try yaml.scalarText(valueNode, key: name)
            if let problem = parameter.problem(with: value) {
                throw yaml.error(valueNode, "the \(name) default of parameter '\(parameter.name)' is not allowed: \(problem)")
            }
            result[name] = value
        }
        return result
    }

    func choiceList(_ node: Node) throws(Diagnostic) -> [String] {
        guard case let .sequence(sequence) = node, !sequence.isEmpty else {
            throw yaml.error(node, "expected a list of choices for 'choices', found \(node.shapeDescription)")
        }
        return try sequence.map { node throws(Diagnostic) in try yaml.scalarText(node, key: "choices") }
    }

    /// The parameters a `hold` step takes its seconds from (`seconds: $hold`), in the steps and
    /// `sides` blocks of `steps`. Read before the parameters, so that their range is known when
    /// their defaults and overrides are checked; a malformed step is left to the step reader.
    static func holdParameterNames(in steps: Node?) -> Set<String> {
        guard case let .sequence(items)? = steps else { return [] }
        var names = Set<String>()
        for item in items {
            guard case let .mapping(step) = item, step.count == 1, let (kind, value) = step.first else { continue }
            switch kind.string {
            case "hold":
                if let seconds = value["seconds"]?.string, seconds.hasPrefix("$") {
                    names.insert(String(seconds.dropFirst()))
                }
            case "sides":
                names.formUnion(holdParameterNames(in: value))
            default:
                continue
            }
        }
        return names
    }

    /// Sets the values the command line and the settings give; then the defaults that follow
    /// the level.
    /// - Throws: ``OverrideError`` for a parameter the session lacks or a value it refuses.
    func applyOverrides(_ overrides: SessionOverrides) throws(OverrideError) {
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
}
