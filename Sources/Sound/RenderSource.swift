/// One waveform placed on the timeline.
struct RenderSource: Sendable {
    var start: Int64
    var end: Int64
    /// Its waveform: a clip of the ``ClipStore``, read from its start at `start`.
    var clip: Int
    /// Linear gain, with the store's 16-bit scale folded in.
    var gain: Float
    /// Where a voice sits in stereo: the side its step massages, or the centre.
    var pan: Pan = .centre
}

/// A voice's place in stereo output.
enum Pan: Sendable {
    case centre, left, right
}
