import AudioIO
import Dispatch
import SystemIO

/// Streams a renderer into a sink in two stages on two threads: one mixes chunks (the clips
/// they need are decoded just ahead of them on a third thread), the other puts the previous
/// chunks through the master ``Limiter``, converts them to 16 bits and writes them. An export
/// costs about the longer of the two, and memory stays the same for any length. The output is ``LimitedStream``'s, bit for bit (the
/// limiter gives the same bits for any block sizes).
public enum Exporter {
    /// Frames per chunk handed to the sink (large writes, few system calls).
    public static let chunkFrames = 1 << 16
    /// Chunks rendered ahead of the writer.
    static let chunksInFlight = 2
    /// Clips decoded ahead of the mixing (each at most a few hundred KiB).
    static let clipsDecodedAhead = 2

    /// Renders from the renderer's position to the end into `sink`, then finishes it.
    /// - Parameter progress: called with the number of frames rendered so far, after each chunk.
    /// - Throws: ``OutputError``; the sink has then been aborted (nothing half-written stays).
    ///   A clip that cannot be decoded is an `io` error naming its cue and file.
    public static func run(_ renderer: Renderer, into sink: PCMSink,
                           progress: ((Int) -> Void)? = nil) throws(OutputError) {
        renderer.softCeiling = false
        // Clips are decoded on a third thread, so that the mixing thread mostly mixes.
        renderer.decodeAhead(clips: clipsDecodedAhead)
        let channels = renderer.channelCount
        let chunkSamples = chunkFrames * channels
        let ring = (0...chunksInFlight).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: chunkSamples) }
        defer { ring.forEach { $0.deallocate() } }
        let writer = LimitingWriter(sink: sink, sampleRate: renderer.sampleRate, channelCount: channels)
        let queue = DispatchQueue(label: "psoas.export.writer")
        let free = DispatchSemaphore(value: chunksInFlight)
        let failure = FailureBox()
        var clipFailure: RenderPlan.Failure?
        var slot = 0
        var rendered = 0
        while failure.error == nil {
            free.wait()
            let chunk = ring[slot]
            var filled = 0
            while filled < chunkFrames {
                let count = min(Renderer.maximumBlock, chunkFrames - filled)
                do throws(RenderPlan.Failure) {
                    try renderer.prepare(frameCount: count)
                } catch {
                    clipFailure = error
                    break
                }
                let frames = renderer.render(into: chunk + filled * channels, frameCount: count)
                guard frames > 0 else { break }
                filled += frames
            }
            guard filled > 0, clipFailure == nil else {
                free.signal()
                break
            }
            let handoff = Handoff(writer: writer, samples: UnsafeBufferPointer(start: chunk, count: filled * channels))
            queue.async {
                if failure.error == nil {
                    do throws(OutputError) {
                        try handoff.writer.write(handoff.samples)
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
        if let clipFailure {
            failure.error = OutputError(.io, "cannot render the session: \(clipFailure)")
        }
        queue.sync {
            guard failure.error == nil else { return }
            do throws(OutputError) {
                try writer.drain()
            } catch {
                failure.error = error
            }
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

/// The writer's stage of an export: mixed chunks through the master ``Limiter``, converted to
/// 16 bits, written to the sink.
///
/// Thread-safety: one thread (the export's writer queue) uses it.
private final class LimitingWriter: @unchecked Sendable {
    let sink: PCMSink
    let limiter: Limiter
    let channelCount: Int
    private let converted: UnsafeMutablePointer<Int16>

    init(sink: PCMSink, sampleRate: Int, channelCount: Int) {
        self.sink = sink
        self.channelCount = channelCount
        limiter = Limiter(sampleRate: sampleRate, channelCount: channelCount)
        converted = .allocate(capacity: Exporter.chunkFrames * channelCount)
    }

    deinit {
        converted.deallocate()
    }

    /// Limits, converts and writes `samples` (whole frames, at most a chunk); the limiter
    /// keeps its look-ahead back.
    func write(_ samples: UnsafeBufferPointer<Float>) throws(OutputError) {
        guard let base = samples.baseAddress else { return }
        let frameCount = samples.count / channelCount
        var done = 0
        var out = 0
        while done < frameCount {
            let count = min(Renderer.maximumBlock, frameCount - done)
            let written = limiter.process(base + done * channelCount, intoPCM: converted + out * channelCount, frameCount: count)
            out += written
            done += count
        }
        try sink.write(UnsafeBufferPointer(start: converted, count: out * channelCount))
    }

    /// Writes what the limiter still holds, as the end of the stream.
    func drain() throws(OutputError) {
        var out = 0
        while case let written = limiter.drain(intoPCM: converted + out * channelCount, frameCount: Renderer.maximumBlock),
              written > 0 {
            out += written
            if out + Renderer.maximumBlock > Exporter.chunkFrames {
                try sink.write(UnsafeBufferPointer(start: converted, count: out * channelCount))
                out = 0
            }
        }
        if out > 0 { try sink.write(UnsafeBufferPointer(start: converted, count: out * channelCount)) }
    }
}

/// A renderer's output through the master ``Limiter``, as 16-bit frames: the stream an export
/// writes and an uninterrupted play plays.
public final class LimitedStream {
    let renderer: Renderer
    let limiter: Limiter
    private let mixed: UnsafeMutablePointer<Float>
    /// The clip that could not be decoded, which ended the stream early.
    public private(set) var failure: RenderPlan.Failure?

    public init(_ renderer: Renderer) {
        self.renderer = renderer
        renderer.softCeiling = false
        limiter = Limiter(sampleRate: renderer.sampleRate, channelCount: renderer.channelCount)
        mixed = .allocate(capacity: Renderer.maximumBlock * renderer.channelCount)
    }

    /// Writes up to `frameCount` frames (at most ``Renderer/maximumBlock``), decoding the clips
    /// they need first (``Renderer/prepare(frameCount:)``). - Returns: the frames written; 0 at
    /// the end, or when a clip cannot be decoded (see ``failure``).
    public func next(into output: UnsafeMutablePointer<Int16>, frameCount: Int) -> Int {
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
                ? limiter.process(mixed, intoPCM: output, frameCount: rendered)
                : limiter.drain(intoPCM: output, frameCount: frameCount)
            if rendered == 0 { break }
        }
        return written
    }

    deinit {
        mixed.deallocate()
    }
}

/// A mixed chunk passed to the writer thread. The render thread does not touch the chunk
/// again until the writer signals `free`, and only the writer thread uses the writer.
private struct Handoff: @unchecked Sendable {
    let writer: LimitingWriter
    let samples: UnsafeBufferPointer<Float>
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
