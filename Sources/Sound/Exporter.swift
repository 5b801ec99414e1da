import AudioIO
import Dispatch

/// Streams a renderer into a sink: one thread renders chunks while another writes the
/// previous ones, so an export costs about the longer of the two, and memory stays the
/// same for any length.
public enum Exporter {
    /// Frames per chunk handed to the sink (large writes, few system calls).
    public static let chunkFrames = 1 << 19
    /// Chunks rendered ahead of the writer.
    static let chunksInFlight = 2

    /// Renders from the renderer's position to the end into `sink`, then finishes it.
    /// - Throws: ``OutputError``; the sink has then been aborted (nothing half-written stays).
    public static func run(_ renderer: Renderer, into sink: PCMSink) throws(OutputError) {
        let channels = renderer.channelCount
        let chunkSamples = chunkFrames * channels
        let ring = (0...chunksInFlight).map { _ in UnsafeMutablePointer<Int16>.allocate(capacity: chunkSamples) }
        defer { ring.forEach { $0.deallocate() } }
        let writer = DispatchQueue(label: "psoas.export.writer")
        let free = DispatchSemaphore(value: chunksInFlight)
        let failure = FailureBox()
        var slot = 0
        while failure.error == nil {
            free.wait()
            let chunk = ring[slot]
            var filled = 0
            while filled < chunkFrames {
                let frames = renderer.render(into: chunk + filled * channels,
                                             frameCount: min(Renderer.maximumBlock, chunkFrames - filled))
                guard frames > 0 else { break }
                filled += frames
            }
            guard filled > 0 else {
                free.signal()
                break
            }
            let handoff = Handoff(sink: sink, samples: UnsafeBufferPointer(start: chunk, count: filled * channels))
            writer.async {
                if failure.error == nil {
                    do throws(OutputError) {
                        try handoff.sink.write(handoff.samples)
                    } catch {
                        failure.error = error
                    }
                }
                free.signal()
            }
            slot = (slot + 1) % ring.count
        }
        writer.sync {}
        if let error = failure.error {
            sink.abort()
            throw error
        }
        do {
            try sink.finish()
        } catch {
            sink.abort()
            throw error
        }
    }
}

/// A filled chunk passed to the writer thread. The render thread does not touch the chunk
/// again until the writer signals `free`, and only the writer thread calls the sink meanwhile.
private struct Handoff: @unchecked Sendable {
    let sink: PCMSink
    let samples: UnsafeBufferPointer<Int16>
}

/// The first write error, shared between the render and writer threads.
private final class FailureBox: @unchecked Sendable {
    private let lock = DispatchQueue(label: "psoas.export.failure")
    private var stored: OutputError?

    var error: OutputError? {
        get { lock.sync { stored } }
        set { lock.sync { if stored == nil { stored = newValue } } }
    }
}
