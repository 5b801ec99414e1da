import AudioIO
import Dispatch
import SystemIO

/// Streams a renderer into a sink: one thread renders chunks while another writes the
/// previous ones, so an export costs about the longer of the two, and memory stays the
/// same for any length.
public enum Exporter {
    /// Frames per chunk handed to the sink (large writes, few system calls).
    public static let chunkFrames = 1 << 16
    /// Chunks rendered ahead of the writer.
    static let chunksInFlight = 2

    /// Renders from the renderer's position to the end into `sink`, then finishes it.
    /// - Parameter progress: called with the number of frames rendered so far, after each chunk.
    /// - Throws: ``OutputError``; the sink has then been aborted (nothing half-written stays).
    public static func run(_ renderer: Renderer, into sink: PCMSink,
                           progress: ((Int) -> Void)? = nil) throws(OutputError) {
        let channels = renderer.channelCount
        let chunkSamples = chunkFrames * channels
        let ring = (0...chunksInFlight).map { _ in UnsafeMutablePointer<Int16>.allocate(capacity: chunkSamples) }
        defer { ring.forEach { $0.deallocate() } }
        let writer = DispatchQueue(label: "psoas.export.writer")
        let free = DispatchSemaphore(value: chunksInFlight)
        let failure = FailureBox()
        let stream = LimitedStream(renderer)
        var slot = 0
        var rendered = 0
        while failure.error == nil {
            free.wait()
            let chunk = ring[slot]
            var filled = 0
            while filled < chunkFrames {
                let frames = stream.next(into: chunk + filled * channels,
                                         frameCount: min(Renderer.maximumBlock, chunkFrames - filled))
                guard frames > 0 else { break }
                filled += frames
            }
            guard filled > 0, stream.failure == nil else {
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
            rendered += filled
            progress?(rendered)
        }
        writer.sync {}
        if failure.error == nil, let clipFailure = stream.failure {
            failure.error = OutputError(.io, "cannot render the session: \(clipFailure)")
        }
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

/// A renderer's output through the master ``Limiter``, as 16-bit frames: the stream an export
/// writes and an uninterrupted play plays.
public final class LimitedStream {
    let renderer: Renderer
    let limiter: Limiter
    private let mixed: UnsafeMutablePointer<Float>
    private let limited: UnsafeMutablePointer<Float>
    /// The clip that could not be decoded, which ended the stream early.
    public private(set) var failure: RenderPlan.Failure?

    public init(_ renderer: Renderer) {
        self.renderer = renderer
        renderer.softCeiling = false
        limiter = Limiter(sampleRate: renderer.sampleRate, channelCount: renderer.channelCount)
        mixed = .allocate(capacity: Renderer.maximumBlock * renderer.channelCount)
        limited = .allocate(capacity: Renderer.maximumBlock * renderer.channelCount)
    }

    /// Writes up to `frameCount` frames (at most ``Renderer/maximumBlock``), decoding the clips
    /// they need first (``Renderer/prepare(frameCount:)``). - Returns: the frames written; 0 at
    /// the end, or when a clip cannot be decoded (see ``failure``).
    public func next(into output: UnsafeMutablePointer<Int16>, frameCount: Int) -> Int {
        let channels = renderer.channelCount
        var written = 0
        // The limiter holds back its look-ahead: ask until something comes out or the end.
        while written == 0 {
            do throws(RenderPlan.Failure) {
                try renderer.prepare(frameCount: frameCount)
            } catch {
                failure = error
                return 0
            }
            let rendered = renderer.render(into: mixed, frameCount: frameCount)
            written = rendered > 0
                ? limiter.process(mixed, into: limited, frameCount: rendered)
                : limiter.drain(into: limited, frameCount: frameCount)
            if rendered == 0 { break }
        }
        PCM.convert(limited, into: output, count: written * channels)
        return written
    }

    deinit {
        mixed.deallocate()
        limited.deallocate()
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
