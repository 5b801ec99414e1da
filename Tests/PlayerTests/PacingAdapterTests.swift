import Player
import Testing

/// When the control side asks the engine to stretch or shorten the pacing.
@Suite struct PacingAdapterTests {
    /// Ten frames a second: a quarter of a second is 2.5 frames.
    static let rate = 10

    @Test func aConsistentLagAsksForItsMedianAfterThreeChanges() {
        var adapter = PacingAdapter(sampleRate: Self.rate)
        #expect(adapter.heard(lag: 6, at: 100) == nil)
        #expect(adapter.heard(lag: 8, at: 140) == nil)
        #expect(adapter.heard(lag: 7, at: 200) == 7, "the median of 6, 8, 7")
    }

    @Test func aLeadAsksForAShorterPacing() {
        var adapter = PacingAdapter(sampleRate: Self.rate)
        for (lag, position) in [(-5, 100), (-4, 140)] { #expect(adapter.heard(lag: Int64(lag), at: Int64(position)) == nil) }
        #expect(adapter.heard(lag: -6, at: 200) == -5)
    }

    @Test func lagsWithinAQuarterSecondOrScatteredAskForNothing() {
        var adapter = PacingAdapter(sampleRate: Self.rate)
        for (lag, position) in [(2, 100), (-2, 140), (1, 200), (-1, 240)] {
            #expect(adapter.heard(lag: Int64(lag), at: Int64(position)) == nil)
        }
        var scattered = PacingAdapter(sampleRate: Self.rate)
        for (lag, position) in [(30, 100), (-20, 140), (1, 200), (-1, 240)] {
            #expect(scattered.heard(lag: Int64(lag), at: Int64(position)) == nil, "one large lag is no trend")
        }
    }

    @Test func aChangeMadeCorrectsTheLagsHeardBeforeIt() {
        var adapter = PacingAdapter(sampleRate: Self.rate)
        _ = adapter.heard(lag: 6, at: 100)
        _ = adapter.heard(lag: 8, at: 140)
        #expect(adapter.heard(lag: 7, at: 200) == 7)
        // The engine held the pacing 7 frames at 210: the person is in step now.
        adapter.shifted(by: 7, at: 210, answersRequest: true)
        #expect(adapter.median == 0)
        #expect(adapter.heard(lag: 1, at: 240) == nil)
        // A change heard before the hold, reported after it, is corrected too.
        #expect(adapter.heard(lag: 8, at: 205) == nil)
        #expect(adapter.median == 0 || adapter.median == 1)
    }

    @Test func whileAChangeIsPendingItIsNotAskedForAgainAtOnce() {
        var adapter = PacingAdapter(sampleRate: Self.rate)
        _ = adapter.heard(lag: 6, at: 100)
        _ = adapter.heard(lag: 8, at: 140)
        #expect(adapter.heard(lag: 7, at: 200) == 7)
        #expect(adapter.heard(lag: 9, at: 240) == nil)
        #expect(adapter.heard(lag: 9, at: 300) == nil)
        #expect(adapter.heard(lag: 9, at: 340) == nil)
        #expect(adapter.heard(lag: 9, at: 400) == 9, "asked again once the engine has not done it for four changes")
    }
}
