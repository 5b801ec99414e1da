/// The ramps every sound starts and ends with, so nothing clicks.
enum Ramp {
    /// Linear ramps over `frames` at both ends: the first sample becomes exactly 0 and the last
    /// one step above 0, so the sound meets the silence after it smoothly.
    static func apply(_ samples: inout [Float], frames: Int) {
        let length = min(frames, samples.count / 2)
        guard length > 0 else { return }
        for index in 0..<length {
            samples[index] *= Float(index) / Float(length)
            samples[samples.count - 1 - index] *= Float(index + 1) / Float(length + 1)
        }
    }
}
