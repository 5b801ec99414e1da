import PsoasTestSupport
import SessionKit
import Testing

/// `breathe calibrate --save`: the settings file gets its `breath:` and keeps every other byte.
@Suite struct SettingsBreathTests {
    let pattern = BreathPattern(inhale: Tenths(33), exhale: Tenths(50))

    func set(_ text: String) throws(DiagnosticList) -> String {
        try Settings.settingBreath(pattern, in: SourceFile(path: "config.yaml", text: text))
    }

    func expect(_ before: String, becomes after: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let actual = try set(before)
        #expect(actual == after, "\(lineDiff(expected: after, actual: actual) ?? "")", sourceLocation: sourceLocation)
    }

    @Test func theValueOfABreathLineIsReplacedAndNothingElse() throws {
        try expect("""
            # my settings
            voice: anna   # the nicer one
            breath: 4-2-6 # was too fast
            parameters:
              hold: 45

            """, becomes: """
            # my settings
            voice: anna   # the nicer one
            breath: 3.3-5 # was too fast
            parameters:
              hold: 45

            """)
        try expect("breath:   \"4-6\"\r\nmpris: false\r\n", becomes: "breath:   3.3-5\r\nmpris: false\r\n")
        try expect("tones: bell\nbreath: '4-6'", becomes: "tones: bell\nbreath: 3.3-5")
    }

    @Test func aFileWithoutBreathGetsALineAtItsEnd() throws {
        try expect("", becomes: "breath: 3.3-5\n")
        try expect("# nothing yet\n", becomes: "# nothing yet\nbreath: 3.3-5\n")
        try expect("voice: anna", becomes: "voice: anna\nbreath: 3.3-5\n")
        try expect("voice: anna\r\n# end\r\n", becomes: "voice: anna\r\n# end\r\nbreath: 3.3-5\r\n")
    }

    @Test func aFileWithProblemsIsRefusedWithThem() {
        #expect {
            try set("voice: anna\nbreath: 4-x\n")
        } throws: { error in
            (error as? DiagnosticList)?.rendered.contains("config.yaml:2:9: error:") == true
        }
    }

    @Test func aBreathNotOnOneLineIsRefusedNotRewritten() {
        for text in ["breath:\n  4-6\n", "{voice: anna, breath: 4-6}\n", "breath: >-\n  4-6\n"] {
            #expect(throws: DiagnosticList.self, "\(text)") { try set(text) }
        }
        let expected = """
            config.yaml:2:3: error: cannot set 'breath' here without touching the rest; write 'breath: 3.3-5' on a line of its own
             2 |   4-6
               |   ^
            """
        let error = #expect(throws: DiagnosticList.self) { try set("breath:\n  4-6\n") }
        let rendered = error?.rendered ?? ""
        #expect(rendered == expected, "\(lineDiff(expected: expected, actual: rendered) ?? "")")
    }

    @Test func aDocumentEndMarkerIsNotWrittenPast() {
        // A line after '...' would start another document: the check reading the edit back refuses it.
        #expect(throws: DiagnosticList.self) { try set("voice: anna\n...\n") }
    }
}
