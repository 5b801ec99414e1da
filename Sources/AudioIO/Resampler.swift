import CSamplerate

/// Sample-rate conversion with libsamplerate (best sinc quality), for whole clips.
public enum Resampler {
    /// Converts `audio` to `rate`; returns it unchanged when the rates are equal.
    /// - Throws: ``AudioIOError`` naming libsamplerate's error.
    public static func convert(_ audio: MonoAudio, to rate: Int) throws(AudioIOError) -> MonoAudio {
        guard audio.sampleRate != rate else { return audio }
        let ratio = Double(rate) / Double(audio.sampleRate)
        let outputCount = Int((Double(audio.samples.count) * ratio).rounded(.up)) + 16
        var output = [Float](repeating: 0, count: outputCount)
        var data = SRC_DATA()
        let status: Int32 = audio.samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                data.data_in = input.baseAddress
                data.input_frames = Int(input.count)
                data.data_out = out.baseAddress
                data.output_frames = Int(out.count)
                data.src_ratio = ratio
                return src_simple(&data, Int32(SRC_SINC_BEST_QUALITY), 1)
            }
        }
        guard status == 0 else {
            throw AudioIOError(call: "src_simple", subject: "\(audio.sampleRate) Hz → \(rate) Hz",
                               message: String(cString: src_strerror(status)))
        }
        output.removeLast(outputCount - Int(data.output_frames_gen))
        return MonoAudio(samples: output, sampleRate: rate)
    }
}
