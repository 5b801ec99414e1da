/// Decides when a recording is done: after speech has been heard, a stretch of silence.
///
/// Works on 10 ms windows of 16-bit mono; a pure value, fed window by window.
public struct SpeechEndDetector: Sendable {
    /// Louder than this (RMS, full scale 1) counts as speech.
    public var speechLevel: Float = 0.01
    /// Quieter than this counts as silence.
    public var silenceLevel: Float = 0.005
    /// How long the silence after speech must last.
    public var silenceSeconds: Double = 1.2
    public let sampleRate: Int

    public private(set) var heardSpeech = false
    private var silentFrames = 0

    public init(sampleRate: Int) {
        self.sampleRate = sampleRate
    }

    /// Takes the next window; returns `true` once speech was heard and the silence after it
    /// has lasted long enough.
    public mutating func feed(_ window: UnsafeBufferPointer<Int16>) -> Bool {
        guard !window.isEmpty else { return false }
        var sum: Float = 0
        for sample in window {
            let value = Float(sample) / 32_768
            sum += value * value
        }
        let level = (sum / Float(window.count)).squareRoot()
        if level >= speechLevel {
            heardSpeech = true
            silentFrames = 0
        } else if heardSpeech, level < silenceLevel {
            silentFrames += window.count
        } else if heardSpeech {
            silentFrames = 0
        }
        return heardSpeech && Double(silentFrames) >= silenceSeconds * Double(sampleRate)
    }
}
