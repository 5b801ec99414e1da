import AudioIO

/// Streams a renderer into a sink, block by block; memory stays the same for any length.
public enum Exporter {
    /// Renders from the renderer's position to the end into `sink`, then finishes it.
    /// - Throws: ``OutputError``; the sink has then been aborted (nothing half-written stays).
    public static func run(_ renderer: Renderer, into sink: PCMSink, blockFrames: Int = Renderer.maximumBlock) throws(OutputError) {
        let channels = renderer.channelCount
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: Renderer.maximumBlock * channels)
        let shorts = UnsafeMutablePointer<Int16>.allocate(capacity: Renderer.maximumBlock * channels)
        defer {
            floats.deallocate()
            shorts.deallocate()
        }
        do {
            while true {
                let frames = renderer.render(into: floats, frameCount: min(blockFrames, Renderer.maximumBlock))
                guard frames > 0 else { break }
                PCM.convert(floats, into: shorts, count: frames * channels)
                try sink.write(UnsafeBufferPointer(start: shorts, count: frames * channels))
            }
            try sink.finish()
        } catch {
            sink.abort()
            throw error
        }
    }
}
