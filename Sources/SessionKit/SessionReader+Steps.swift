import Yams

extension SessionReader {
    /// Reads a list of steps; each step's problems are reported and the others read.
    /// - Parameter side: the side of the `sides` block the steps are in, if any.
    func readSteps(_ node: Node, side: Side?) -> [Step] {
        guard let items = yaml.collecting({ try self.yaml.list(node, expected: "a list of steps") }) else { return [] }
        var steps: [Step] = []
        for stepNode in items {
            steps += yaml.collecting { try self.readStep(stepNode, side: side) } ?? []
        }
        return steps
    }

    /// One list item: a step (`say: intro`), or a `sides` block expanded into its steps.
    func readStep(_ node: Node, side: Side?) throws -> [Step] {
        guard case let .mapping(mapping) = node, mapping.count == 1, let (keyNode, valueNode) = mapping.first else {
            if case let .mapping(mapping) = node, mapping.count > 1 {
                let keys = mapping.keys.map { "'\($0.string ?? "?")'" }.joined(separator: ", ")
                throw yaml.error(node, "a step has exactly one kind, found \(keys); start a new list item ('- ') for each step")
            }
            throw yaml.error(node, "expected a step such as '- say: intro' or '- hold: {seconds: 60}', found \(node.shapeDescription)")
        }
        let kindName = try yaml.scalarText(keyNode, key: "step kind")
        if kindName == "sides" {
            return try readSides(valueNode, outer: side, at: keyNode)
        }
        guard let kind = Step.Kind(rawValue: kindName) else {
            let kinds = Step.Kind.allCases.map(\.rawValue) + ["sides"]
            throw yaml.error(keyNode, "unknown step kind '\(kindName)'; expected one of: \(kinds.joined(separator: ", "))")
        }
        return [try StepReader(session: self, kind: kind, node: valueNode, keyNode: keyNode, side: side).read()]
    }

    /// A `sides` block: its steps once for each side the `sides` parameter selects (both when
    /// the session has no such parameter).
    func readSides(_ node: Node, outer: Side?, at keyNode: Node) throws(Diagnostic) -> [Step] {
        if outer != nil {
            throw yaml.error(keyNode, "a sides block cannot contain another sides block")
        }
        var selected = Side.allCases
        if let parameter = parameters.first(where: { $0.name == "sides" }) {
            guard let choice = SideChoice(rawValue: parameter.value) else {
                throw yaml.error(keyNode, "parameter 'sides' is '\(parameter.value)'; expected \(SideChoice.choiceList)")
            }
            selected = choice.sides
        }
        _ = try yaml.list(node, expected: "a list of steps for 'sides'")
        return selected.flatMap { readSteps(node, side: $0) }
    }
}
