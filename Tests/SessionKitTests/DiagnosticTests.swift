import PsoasTestSupport
import SessionKit
import Testing

/// Exact text of every diagnostic a session author can meet, location and caret included.
@Suite struct DiagnosticTests {
    let manifest = CueManifest(path: "cues.yaml", entries: [
        ("intro", "Willkommen."), ("sink.exhale", "Und loslassen."),
        ("locate.left", "Links."), ("locate.right", "Rechts."),
    ])

    func diagnose(_ yaml: String, overrides: SessionOverrides = SessionOverrides()) -> String {
        renderedProblems {
            _ = try SessionLoader(cues: manifest).load(SourceFile(path: "s.yaml", text: yaml), overrides: overrides)
        }
    }

    func expectDiagnostic(_ yaml: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let actual = diagnose(yaml)
        #expect(actual == expected, "\(lineDiff(expected: expected, actual: actual) ?? "")", sourceLocation: sourceLocation)
    }

    @Test func yamlSyntaxErrorPointsAtTheProblem() {
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - say: intro
               - say: intro
            """, """
            s.yaml:5:4: error: invalid YAML: did not find expected '-' indicator (while parsing a block collection at 4:3)
             5 |    - say: intro
               |    ^
            """)
    }

    @Test func unknownKeyNamesTheKeysThatExist() {
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - hold: {secs: 60}
            """, """
            s.yaml:4:12: error: unknown key 'secs' in 'hold'; expected one of: breath, cues, id, say, seconds, title
             4 |   - hold: {secs: 60}
               |            ^
            """)
    }

    @Test func unknownTopLevelKey() {
        expectDiagnostic("""
            id: s
            title: T
            tempo: slow
            steps:
              - say: intro
            """, """
            s.yaml:3:1: error: unknown key 'tempo' in the session; expected one of: breath, id, parameters, steps, title
             3 | tempo: slow
               | ^
            """)
    }

    @Test func unknownStepKindListsTheKinds() {
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - stretch: {cycles: 2}
            """, """
            s.yaml:4:5: error: unknown step kind 'stretch'; expected one of: say, pause, breathe, sink, hold, contract-relax, move, wait, rest, sides
             4 |   - stretch: {cycles: 2}
               |     ^
            """)
    }

    @Test func wrongValueType() {
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - breathe: {cycles: three}
            """, """
            s.yaml:4:23: error: expected a whole number for 'cycles', found 'three'
             4 |   - breathe: {cycles: three}
               |                       ^
            """)
    }

    @Test func stepsMustBeAList() {
        expectDiagnostic("""
            id: s
            title: T
            steps: 5
            """, """
            s.yaml:3:8: error: expected a list of steps, found '5'
             3 | steps: 5
               |        ^
            """)
    }

    @Test func unknownCueID() {
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - say: intro.welcom
            """, """
            s.yaml:4:10: error: unknown cue 'intro.welcom'; it is not in the cue manifest cues.yaml
             4 |   - say: intro.welcom
               |          ^
            """)
    }

    @Test func unknownParameterListsTheDeclaredOnes() {
        expectDiagnostic("""
            id: s
            title: T
            parameters:
              hold: {default: 60, min: 30, max: 90, unit: s}
            steps:
              - hold: {seconds: $holdd}
            """, """
            s.yaml:6:21: error: unknown parameter '$holdd'; this session declares $hold
             6 |   - hold: {seconds: $holdd}
               |                     ^
            """)
    }

    @Test func holdOutsideThirtyToNinetySeconds() {
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - hold: {seconds: 120}
            """, """
            s.yaml:4:21: error: a hold of 120 s is outside 30–90 s; hold one point for 30 to 90 seconds
             4 |   - hold: {seconds: 120}
               |                     ^
            """)
    }

    @Test func badBreathPatterns() {
        expectDiagnostic("""
            id: s
            title: T
            breath: 4-x
            steps:
              - say: intro
            """, """
            s.yaml:3:9: error: 'x' in '4-x' is not a number of seconds; expected a breath pattern like 4-6, 4-2-6 or 4-7-8-0 (seconds, at most one decimal)
             3 | breath: 4-x
               |         ^
            """)
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - breathe: {cycles: 2, breath: 4-0}
            """, """
            s.yaml:4:34: error: '4-0' has a zero-length inhale or exhale; both must be longer than 0 s
             4 |   - breathe: {cycles: 2, breath: 4-0}
               |                                  ^
            """)
    }

    @Test func negativeCounts() {
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - sink: {cycles: -2, say: sink.exhale}
            """, """
            s.yaml:4:20: error: expected a whole number of at least 1 for 'cycles', found '-2'
             4 |   - sink: {cycles: -2, say: sink.exhale}
               |                    ^
            """)
    }

    @Test func emptyFile() {
        expectDiagnostic("# nothing here\n", """
            s.yaml:1:1: error: the file is empty; a session needs 'id', 'title' and 'steps'
             1 | # nothing here
               | ^
            """)
    }

    @Test func fileThatIsNotText() {
        let bytes: [UInt8] = Array("id: s\ntitle: ".utf8) + [0xFF, 0xD8, 0x00, 0x10]
        #expect(throws: DiagnosticList.self) { try SourceFile(path: "s.yaml", bytes: bytes) }
        do {
            _ = try SourceFile(path: "s.yaml", bytes: bytes)
        } catch {
            #expect(error.rendered == "s.yaml:2:8: error: this is not a text file (a byte that is not UTF-8); expected UTF-8 YAML")
        }
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let actual = diagnose("""
            id: s
            title: T
            steps:
              - say: nope
              - pause: -1
            """)
        #expect(actual.components(separatedBy: "error:").count == 3, "\(actual)")
    }

    @Test func sideOutsideASidesBlock() {
        expectDiagnostic("""
            id: s
            title: T
            steps:
              - say: locate.{side}
            """, """
            s.yaml:4:10: error: '{side}' in cue 'locate.{side}' only works inside a sides block
             4 |   - say: locate.{side}
               |          ^
            """)
    }

    @Test func outOfRangeOverrideNamesTheRange() {
        let yaml = """
            id: s
            title: T
            parameters:
              hold: {default: 60, min: 30, max: 90, unit: s}
            steps:
              - hold: {seconds: $hold}
            """
        let actual = diagnose(yaml, overrides: SessionOverrides(values: [.init(name: "hold", value: "120", option: "--hold")]))
        #expect(actual == "override: --hold: 120 is out of range: hold must be between 30 and 90 s")
    }
}
