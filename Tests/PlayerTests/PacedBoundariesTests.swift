import BreathSensing
import Planning
import Player
import SessionKit
import Testing

/// How far a detected phase change lies from the paced one.
@Suite struct PacedBoundariesTests {
    /// Three cycles of 4-6 at 10 frames a second from frame 100: exhales at 140–200, 240–300, 340–400.
    static let boundaries: PacedBoundaries = {
        var events: [Event] = []
        for cycle in 0..<3 {
            let start = Int64(100 + cycle * 100)
            events.append(Event(kind: .breath(phase: .inhale, cycle: cycle + 1), step: 0, start: start, end: start + 40))
            events.append(Event(kind: .breath(phase: .exhale, cycle: cycle + 1), step: 0, start: start + 40, end: start + 100))
        }
        let timeline = Timeline(sessionID: "t", title: "T", sampleRate: 10, channelCount: 1, frameCount: 500,
                                steps: [], events: events)
        return PacedBoundaries(timeline)
    }()

    @Test func anExhaleIsMeasuredAgainstTheNearestPacedExhaleStart() {
        #expect(Self.boundaries.exhaleStarts == [140, 240, 340])
        #expect(Self.boundaries.lag(of: .exhale, at: 243) == 3)
        #expect(Self.boundaries.lag(of: .exhale, at: 236) == -4)
        #expect(Self.boundaries.lag(of: .exhale, at: 289) == 49)
    }

    @Test func anInhaleIsMeasuredAgainstTheEndOfAPacedExhale() {
        #expect(Self.boundaries.exhaleEnds == [200, 300, 400])
        #expect(Self.boundaries.lag(of: .inhale, at: 305) == 5)
        #expect(Self.boundaries.lag(of: .inhale, at: 190) == -10)
    }

    @Test func nothingWithinHalfACycleGivesNoLag() {
        // Half-way between two paced exhale starts (290 is 50 from both): still within half a cycle.
        #expect(Self.boundaries.lag(of: .exhale, at: 290) == 50)
        // Far outside the paced breathing.
        #expect(Self.boundaries.lag(of: .exhale, at: 20) == nil)
        #expect(Self.boundaries.lag(of: .inhale, at: 480) == nil)
    }
}
