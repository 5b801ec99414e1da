/// A value a session author lets the user choose (`hold`, `sides`, `rest`), referenced as `$name`.
public struct Parameter: Sendable, Hashable {
    public var name: String
    /// The value in effect: the override if one was given, else the default.
    public var value: String
    public var defaultValue: String
    public var minimum: Double?
    public var maximum: Double?
    public var unit: String?
    public var choices: [String]?
    /// Defaults that depend on the session's `level` parameter (`{beginner: 45}`).
    public var levelDefaults: [String: String]

    public init(name: String, value: String, defaultValue: String, minimum: Double? = nil,
                maximum: Double? = nil, unit: String? = nil, choices: [String]? = nil,
                levelDefaults: [String: String] = [:]) {
        self.name = name
        self.value = value
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
        self.unit = unit
        self.choices = choices
        self.levelDefaults = levelDefaults
    }

    /// Why `candidate` is not allowed, or `nil` when it is.
    public func problem(with candidate: String) -> String? {
        if let choices {
            return choices.contains(candidate) ? nil
                : "'\(candidate)' is not one of \(choices.joined(separator: ", "))"
        }
        guard minimum != nil || maximum != nil else { return nil }
        guard let number = Double(candidate), number.isFinite else {
            return "'\(candidate)' is not a number"
        }
        if let minimum, number < minimum { return "\(candidate) is out of range: \(rangeText)" }
        if let maximum, number > maximum { return "\(candidate) is out of range: \(rangeText)" }
        return nil
    }

    /// `between 30 and 90 s`, `at least 1`.
    public var rangeText: String {
        let suffix = unit.map { " \($0)" } ?? ""
        switch (minimum, maximum) {
        case let (min?, max?): return "\(name) must be between \(Self.format(min)) and \(Self.format(max))\(suffix)"
        case let (min?, nil): return "\(name) must be at least \(Self.format(min))\(suffix)"
        case let (nil, max?): return "\(name) must be at most \(Self.format(max))\(suffix)"
        case (nil, nil): return "\(name) takes any value"
        }
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// What the command line changes in a session: `--set name=value` (and `--hold`, `--sides`,
/// `--rest` as shorthands), and `--breath`.
public struct SessionOverrides: Sendable {
    /// One parameter value from the command line, with the option that set it (for messages),
    /// or from the settings file, with where it stands there.
    public struct Value: Sendable, Hashable {
        public var name: String
        public var value: String
        public var option: String
        /// Where a value from the settings file stands. Such a value applies only to sessions
        /// that declare the parameter, and a value a session refuses is reported there.
        public var place: FilePlace?

        public init(name: String, value: String, option: String, place: FilePlace? = nil) {
            self.name = name
            self.value = value
            self.option = option
            self.place = place
        }
    }

    public var values: [Value]
    public var breath: BreathPattern?
    /// Who set ``breath`` (`--breath`, or the settings file with its place), for messages.
    public var breathSource: Value?

    public init(values: [Value] = [], breath: BreathPattern? = nil, breathSource: Value? = nil) {
        self.values = values
        self.breath = breath
        self.breathSource = breathSource
    }

    /// Every value these overrides set, the breath pattern included.
    public var sources: [Value] { values + (breathSource.map { [$0] } ?? []) }

    /// These overrides without the values in `removed`.
    public func removing(_ removed: [Value]) -> SessionOverrides {
        let breathRemoved = breathSource.map(removed.contains) ?? false
        return SessionOverrides(values: values.filter { !removed.contains($0) },
                                breath: breathRemoved ? nil : breath, breathSource: breathRemoved ? nil : breathSource)
    }
}

/// A command-line value the session does not accept (exit 64), or a value of the settings file
/// (exit 65, reported at its ``place``).
public struct OverrideError: Error, Sendable, Equatable {
    public var message: String
    public var place: FilePlace?

    public init(message: String, place: FilePlace? = nil) {
        self.message = message
        self.place = place
    }
}
