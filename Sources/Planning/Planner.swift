import SessionKit

/// Turns a ``Session`` into a frame-exact ``Timeline``, by the timing rules written at each step of
/// ``TimelineBuilder`` (`TimelineBuilder.swift`, `TimelineBuilder+Paced.swift`).
///
/// Pure and deterministic: the same session, options and clip lengths give the same timeline.
public struct Planner: Sendable {
    public var options: PlanOptions
    /// The German texts of the cues.
    public var manifest: CueManifest
    /// The length of each cue's clip in frames at ``PlanOptions/sampleRate``.
    public var clipDurations: [String: Int64]

    /// How long a `bell` rings at most: through its phase, up to this.
    public static let bellLength = Tenths(60)
    /// How far the tones fade through a `rest` step, evenly in decibels from its first cycle to its last.
    public static let restFadeDecibels = 36.0

    /// A cue with this long a quiet stretch before it (no voice, and no tone above
    /// ``quietToneLevel``) is announced by a ``ToneName/chime`` (unless the tones are off).
    public static let quietStretch = Tenths(80)
    /// Tones at or below this level (−20 dB, as in the second half of a rest's fade) count as quiet.
    public static let quietToneLevel = 0.1
    /// The chime's length; it ends on the first frame of the cue it announces.
    public static let chimeLength = Tenths(20)

    public init(options: PlanOptions, manifest: CueManifest, clipDurations: [String: Int64]) {
        self.options = options
        self.manifest = manifest
        self.clipDurations = clipDurations
    }

    /// Plans `session`.
    /// - Throws: ``PlanError`` when a cue has no clip, is too long for its phase, or two cues overlap.
    public func plan(_ session: Session) throws(PlanError) -> Timeline {
        var builder = TimelineBuilder(planner: self)
        for step in session.steps {
            try builder.add(step)
        }
        try builder.checkVoiceOverlaps(session)
        builder.addChimes()
        return builder.timeline(for: session)
    }

    /// Every cue use of `session` that must fit a span (a breath phase or a wait), with its
    /// clip's length and the span's, by the same rules as ``plan(_:)``. A cue too long for its
    /// span is listed instead of stopping the planning; overlaps are not checked.
    /// - Throws: ``PlanError`` for any other problem (a cue without a clip, a cycle the step
    ///   does not have, a session too long).
    public func fits(_ session: Session) throws(PlanError) -> [CueFit] {
        var builder = TimelineBuilder(planner: self)
        builder.fits = []
        for step in session.steps {
            try builder.add(step)
        }
        return builder.fits ?? []
    }

    func clipDuration(_ use: CueUse, in step: Step) throws(PlanError) -> Int64 {
        guard let frames = clipDurations[use.id] else {
            throw PlanError(location: use.location,
                            message: "cue '\(use.id)' has no clip in the voice pack (step '\(step.id)')")
        }
        return frames
    }

    func text(_ id: String) -> String { manifest.text(for: id) ?? "" }

    /// Frame counts at ``PlanOptions/sampleRate`` as text, for messages.
    var clockText: ClockText { ClockText(sampleRate: options.sampleRate) }
}
