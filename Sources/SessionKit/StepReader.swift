import Yams

/// Reads the options of one step (the value under its kind key).
struct StepReader {
    let session: SessionReader
    let kind: Step.Kind
    let node: Node
    let keyNode: Node
    let side: Side?

    /// The keys each kind accepts besides `id` and `title`.
    static func keys(for kind: Step.Kind) -> [String] {
        switch kind {
        case .say: ["cue", "after"]
        case .pause: ["seconds"]
        case .breathe, .move: ["cycles", "minutes", "seconds", "breath", "say", "cues"]
        case .rest: ["cycles", "minutes", "seconds", "breath", "say", "cues"]
        case .sink: ["cycles", "say", "breath", "cues"]
        case .hold: ["seconds", "breath", "say", "cues"]
        case .contractRelax: ["reps", "tense", "say", "release", "breath"]
        case .wait: ["say", "export"]
        }
    }

    /// How long a hold on one point may last, in every session. This is the range's only home: a
    /// parameter a hold takes its seconds from is kept to it as well unless the session file
    /// gives the parameter a range of its own (``SessionReader/readParameters(_:holding:)``).
    static let holdRange = Tenths(seconds: 30)...Tenths(seconds: 90)
    /// How long the tension of a contract-relax repetition lasts.
    static let tensionRange = Tenths(seconds: 2)...Tenths(seconds: 3)
    /// Silence after a `say` step's cue when the file gives none.
    static let defaultAfter = Tenths(seconds: 1)

    var yaml: YAMLReader { session.yaml }

    var context: String { "'\(kind.rawValue)'" }

    func read() throws -> Step {
        let fields = try options()
        var title = try fields["title"].map { try yaml.text($0, key: "title") } ?? kind.defaultTitle
        if let side { title += " (\(side.germanName))" }
        let breath = try fields["breath"].map { try session.breathPattern($0) } ?? session.sessionBreath
        let body = try readBody(fields)
        var id = kind.rawValue
        if case let .say(use, _) = body { id = use.id }
        if let idNode = fields["id"] { id = try yaml.identifier(idNode, key: "id") }
        return Step(kind: kind, id: id, title: title, side: side, breath: breath, body: body,
                    location: keyNode.location)
    }

    /// The step's options: a mapping, or for `say` and `pause` a single value.
    func options() throws -> [String: Node] {
        if case .scalar = node {
            switch kind {
            case .say: return ["cue": node]
            case .pause: return ["seconds": node]
            default:
                throw yaml.error(node, "expected a mapping of options for \(context) (like {\(Self.keys(for: kind)[0]): …}), found \(node.shapeDescription)")
            }
        }
        return try yaml.mapping(node, in: context, allowed: Self.keys(for: kind) + ["id", "title"])
    }

    func need(_ fields: [String: Node], _ key: String) throws -> Node {
        try yaml.required(fields, key, of: node, in: context)
    }

    func readBody(_ fields: [String: Node]) throws -> Step.Body {
        switch kind {
        case .say:
            let cue = try session.cue(need(fields, "cue"), key: "cue", side: side)
            let after = try fields["after"].map { try session.seconds($0, key: "after") } ?? Self.defaultAfter
            return .say(cue, after: after)
        case .pause:
            let seconds = try session.seconds(need(fields, "seconds"), key: "seconds")
            guard seconds > .zero else { throw yaml.error(node, "a pause must last longer than 0 s") }
            return .pause(seconds)
        case .breathe, .move, .rest:
            return .paced(try length(fields), cues: try cues(fields))
        case .sink:
            let cycles = try session.count(need(fields, "cycles"), key: "cycles")
            let release = try session.cue(need(fields, "say"), key: "say", side: side)
            let every = AnchoredCue(use: release, anchor: .exhale, everyCycle: true)
            return .paced(.cycles(cycles), cues: [every] + (try anchoredCues(fields)))
        case .hold:
            let secondsNode = try need(fields, "seconds")
            let seconds = try session.seconds(secondsNode, key: "seconds")
            guard Self.holdRange.contains(seconds) else {
                let (shortest, longest) = (Self.holdRange.lowerBound, Self.holdRange.upperBound)
                throw yaml.error(secondsNode, "a hold of \(seconds) s is outside \(shortest)–\(longest) s; hold one point for \(shortest) to \(longest) seconds")
            }
            return .paced(.seconds(seconds), cues: try cues(fields))
        case .contractRelax:
            let reps = try fields["reps"].map { try session.count($0, key: "reps") } ?? 3
            let tenseNode = try need(fields, "tense")
            let tension = try session.seconds(tenseNode, key: "tense")
            guard Self.tensionRange.contains(tension) else {
                throw yaml.error(tenseNode, "a tension of \(tension) s is outside \(Self.tensionRange.lowerBound)–\(Self.tensionRange.upperBound) s")
            }
            let tense = try session.cue(need(fields, "say"), key: "say", side: side)
            let release = try session.cue(need(fields, "release"), key: "release", side: side)
            return .contractRelax(reps: reps, tension: tension, tense: tense, release: release)
        case .wait:
            let cue = try fields["say"].map { try session.cue($0, key: "say", side: side) }
            let export = try session.seconds(need(fields, "export"), key: "export")
            guard export > .zero else { throw yaml.error(node, "'export' must be longer than 0 s") }
            return .wait(cue, export: export)
        }
    }

    /// `cycles`, `minutes` or `seconds`: exactly one that is not 0. When the values come from
    /// parameters (as in `atem`, where the user sets minutes or cycles), a 0 leaves the length
    /// to the others, and of several non-zero ones `cycles` wins, then `minutes`.
    func length(_ fields: [String: Node]) throws -> Step.Length {
        var lengths: [(key: String, length: Step.Length, fromParameter: Bool)] = []
        for key in ["cycles", "minutes", "seconds"] {
            guard let valueNode = fields[key] else { continue }
            let fromParameter = try session.resolvedScalar(valueNode, key: key).parameter != nil
            if key == "cycles" {
                let cycles = try session.count(valueNode, key: key, minimum: 0)
                if cycles > 0 { lengths.append((key, .cycles(cycles), fromParameter)) }
                continue
            }
            let value = try session.seconds(valueNode, key: key)
            guard value > .zero else { continue }
            lengths.append((key, .seconds(key == "minutes" ? value * 60 : value), fromParameter))
        }
        let literal = lengths.filter { !$0.fromParameter }
        guard let length = lengths.first, lengths.count == 1 || literal.isEmpty else {
            let found = lengths.isEmpty ? "none longer than 0" : lengths.map(\.key).joined(separator: " and ")
            throw yaml.error(node, "\(context) needs exactly one of 'cycles', 'minutes' or 'seconds', found \(found)")
        }
        return length.length
    }

    /// `say` (a cue on the first inhale) followed by the `cues` list.
    func cues(_ fields: [String: Node]) throws -> [AnchoredCue] {
        var result: [AnchoredCue] = []
        if let sayNode = fields["say"] {
            result.append(AnchoredCue(use: try session.cue(sayNode, key: "say", side: side), anchor: .inhale))
        }
        return result + (try anchoredCues(fields))
    }

    func anchoredCues(_ fields: [String: Node]) throws -> [AnchoredCue] {
        guard let listNode = fields["cues"] else { return [] }
        let list = try yaml.list(listNode, expected: "a list of cues for 'cues'")
        // Every cue's problem is reported, not only the first one's.
        let cues = list.map { node in yaml.collecting { try anchoredCue(node) } }
        return cues.compactMap { $0 }
    }

    func anchoredCue(_ cueNode: Node) throws -> AnchoredCue {
        let fields = try yaml.mapping(cueNode, in: "a cue", allowed: ["say", "at", "cycle", "align", "every"])
        let use = try session.cue(yaml.required(fields, "say", of: cueNode, in: "a cue"), key: "say", side: side)
        let anchor = try fields["at"].map { try yaml.choice($0, key: "at", as: AnchoredCue.Anchor.self) } ?? .inhale
        let align = try fields["align"].map { try yaml.choice($0, key: "align", as: AnchoredCue.Align.self) } ?? .start
        var cycle = 1
        if let cycleNode = fields["cycle"] {
            let text = try yaml.scalarText(cycleNode, key: "cycle")
            guard let value = Int(text), value != 0, abs(value) <= 100_000 else {
                throw yaml.error(cycleNode, "expected a cycle number for 'cycle' (1 is the first, -1 the last), found '\(text)'")
            }
            cycle = value
        }
        let every = try fields["every"].map { node throws(Diagnostic) in try yaml.bool(node, key: "every") } ?? false
        if every, fields["cycle"] != nil {
            throw yaml.error(cueNode, "a cue with 'every: true' is on every cycle; remove 'cycle'")
        }
        return AnchoredCue(use: use, anchor: anchor, cycle: cycle, align: align, everyCycle: every)
    }
}
