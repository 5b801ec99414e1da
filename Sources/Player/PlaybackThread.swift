import AudioIO
import Foundation
import Synchronization
import SystemIO

/// The dedicated thread that renders blocks and writes them to ALSA, one period at a time.
public final class PlaybackThread: @unchecked Sendable {
    public let engine: PlaybackEngine
    public let output: AlsaPlayback
    private let done = Atomic<Bool>(false)
    private let failure = Mutex<DeviceError?>(nil)

    public init(engine: PlaybackEngine, output: AlsaPlayback) {
        self.engine = engine
        self.output = output
    }

    /// Starts playing. The thread holds this object only while it runs.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "psoas.playback"
        thread.qualityOfService = .userInteractive
        thread.stackSize = 1 << 20
        thread.start()
    }

    public var isDone: Bool { done.load(ordering: .acquiring) }

    /// Why playback ended early, if the device failed.
    public var deviceFailure: DeviceError? { failure.withLock { $0 } }

    private func run() {
        let channels = engine.timeline.channelCount
        let period = max(1, min(output.periodFrames, 4096))
        let buffer = UnsafeMutablePointer<Int16>.allocate(capacity: period * channels)
        defer { buffer.deallocate() }
        do throws(DeviceError) {
            while true {
                let frames = engine.render(into: buffer, frameCount: period)
                guard frames > 0 else { break }
                try output.write(buffer, frameCount: frames)
            }
            output.drain()
        } catch {
            failure.withLock { $0 = error }
        }
        done.store(true, ordering: .releasing)
    }
}
