/// What the planner needs besides the session: output format and how to sound the breath.
public struct PlanOptions: Sendable, Hashable {
    /// Frames per second of the output.
    public var sampleRate: Int
    public var channelCount: Int
    public var tones: ToneStyle
    /// The bed under the session; it changes no timing, only what the renderer adds.
    public var ambience: AmbienceStyle

    public init(sampleRate: Int = 48_000, channelCount: Int = 1, tones: ToneStyle = .glide,
                ambience: AmbienceStyle = .off) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.tones = tones
        self.ambience = ambience
    }

    /// The rates the player and exporter support.
    public static let supportedRates = [44_100, 48_000, 96_000]
}

/// A timing rule the session breaks, with where in its file (exit 65).
public struct PlanError: Error, Sendable, Hashable {
    public var location: SessionKit.SourceLocation
    public var message: String

    public init(location: SessionKit.SourceLocation, message: String) {
        self.location = location
        self.message = message
    }
}

import SessionKit
