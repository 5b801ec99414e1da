/// A guided session, loaded from a session file with its parameters applied:
/// every value concrete, every `sides` block expanded, every `{side}` filled in.
public struct Session: Sendable, Hashable {
    /// The file's `id` (`psoas`), used by `psoas play psoas`.
    public var id: String
    /// The German title (`Psoas-Selbstmassage`).
    public var title: String
    /// The session's breath pattern; steps may have their own.
    public var breath: BreathPattern
    /// The parameters the file declares, in file order, with the values in effect.
    public var parameters: [Parameter]
    /// The steps in playing order.
    public var steps: [Step]

    public init(id: String, title: String, breath: BreathPattern, parameters: [Parameter], steps: [Step]) {
        self.id = id
        self.title = title
        self.breath = breath
        self.parameters = parameters
        self.steps = steps
    }

    /// Every cue id the session speaks, in first-use order, without repeats.
    public var cueIDs: [String] {
        var seen = Set<String>()
        var ids: [String] = []
        for step in steps {
            for use in step.cueUses where seen.insert(use.id).inserted {
                ids.append(use.id)
            }
        }
        return ids
    }
}
