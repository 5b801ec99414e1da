import PsoasTestSupport
import SessionKit
import Testing

/// The user's settings file: what it sets, what a session makes of it, and the exact text of
/// every problem in it.
@Suite struct SettingsTests {
    func load(_ yaml: String) -> Result<Settings, DiagnosticList> {
        Result { () throws(DiagnosticList) in try Settings.load(SourceFile(path: "config.yaml", text: yaml)) }
    }

    func expectProblem(_ yaml: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let actual: String
        switch load(yaml) {
        case .success: actual = "ok"
        case let .failure(list): actual = list.rendered
        }
        #expect(actual == expected, "\(lineDiff(expected: expected, actual: actual) ?? "")", sourceLocation: sourceLocation)
    }

    @Test func everyKeyIsRead() throws {
        let settings = try load("""
            voice: anna
            tones: bell
            breath: 4-2-6
            device: plughw:1,0
            capture-device: "pulse:DEVICE=mic"
            mpris: false
            stall-limit: 10
            parameters:
              level: beginner
              hold: 45
            """).get()
        #expect(settings.stallLimit == 10)
        #expect(settings.voice == "anna")
        #expect(settings.tones == .bell)
        #expect(settings.breath == (try BreathPattern(parsing: "4-2-6")))
        #expect(settings.device == "plughw:1,0")
        #expect(settings.captureDevice == "pulse:DEVICE=mic")
        #expect(settings.parameters.map { "\($0.name)=\($0.value)" } == ["level=beginner", "hold=45"])
        #expect(settings.mpris == false)
        #expect(settings.parameters[1].place == FilePlace(path: "config.yaml", location: .init(line: 10, column: 9)))
    }

    @Test func aStallLimitIsAWholeNumberOfSecondsWithinItsRange() {
        expectProblem("stall-limit: 0\n", """
            config.yaml:1:14: error: expected a whole number of seconds from 1 to 3600 for 'stall-limit', found '0'
             1 | stall-limit: 0
               |              ^
            """)
        expectProblem("stall-limit: 2.5\n", """
            config.yaml:1:14: error: expected a whole number of seconds from 1 to 3600 for 'stall-limit', found '2.5'
             1 | stall-limit: 2.5
               |              ^
            """)
    }

    @Test func anEmptyFileOrOneOfCommentsSetsNothing() throws {
        #expect(try load("").get() == Settings())
        #expect(try load("# my settings\n\n").get() == Settings())
    }

    @Test func problemsAreNamedWhereTheyStand() {
        expectProblem("colour: red\n", """
            config.yaml:1:1: error: unknown key 'colour' in the settings; expected one of: ambience, breath, capture-device, device, mpris, parameters, stall-limit, tones, voice
             1 | colour: red
               | ^
            """)
        expectProblem("tones: loud\nbreath: 4-x\n", """
            config.yaml:1:8: error: 'loud' is not a tone style; expected glide, bell or off
             1 | tones: loud
               |        ^
            config.yaml:2:9: error: 'x' in '4-x' is not a number of seconds; expected a breath pattern like 4-6, 4-2-6 or 4-7-8-0 (seconds, at most one decimal)
             2 | breath: 4-x
               |         ^
            """)
        expectProblem("parameters: 45\n", """
            config.yaml:1:13: error: expected a mapping of parameter names to values for 'parameters', found '45'
             1 | parameters: 45
               |             ^
            """)
        expectProblem("voice: [anna]\nparameters:\n  hold:\n", """
            config.yaml:1:8: error: expected a single value for 'voice', found a list
             1 | voice: [anna]
               |        ^
            config.yaml:3:8: error: 'hold' must not be empty
             3 |   hold:
               |        ^
            """)
        expectProblem("mpris: maybe\n", """
            config.yaml:1:8: error: expected true or false for 'mpris', found 'maybe'
             1 | mpris: maybe
               |        ^
            """)
        expectProblem("just words\n", """
            config.yaml:1:1: error: expected a mapping for the settings, found 'just words'
             1 | just words
               | ^
            """)
    }

    /// A session takes the settings' values for the parameters it declares and ignores the rest;
    /// a value it refuses is reported at its place in the settings file.
    @Test func aSessionTakesTheParametersItDeclares() throws {
        let session = """
            id: s
            title: T
            parameters:
              hold: {default: 60, min: 30, max: 90}
            steps:
              - hold: {seconds: $hold}
            """
        let settings = try load("parameters:\n  hold: 45\n  sides: left\n").get()
        let loaded = try SessionLoader(cues: nil).load(SourceFile(path: "s.yaml", text: session),
                                                       overrides: SessionOverrides(values: settings.parameters))
        #expect(loaded.parameters.first?.value == "45")

        let refused = try load("parameters:\n  hold: 100\n").get()
        #expect(throws: OverrideError(message: "parameter 'hold': 100 is out of range: hold must be between 30 and 90",
                                      place: FilePlace(path: "config.yaml", location: .init(line: 2, column: 9)))) {
            try SessionLoader(cues: nil).load(SourceFile(path: "s.yaml", text: session),
                                              overrides: SessionOverrides(values: refused.parameters))
        }
    }
}
