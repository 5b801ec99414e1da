import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `parec` recording a sink's monitor into a file, in small (5 ms) fragments.
///
/// Thread-safety: one test records; the recorder is stopped by PID when released.
public final class Recording: @unchecked Sendable {
    let process: ChildProcess
    let file: URL
    public let rate: Int

    /// Starts recording `sink`'s monitor (mono s16le at `rate`) into a file in `folder`; returns
    /// once the recorder hears the sink.
    init(monitorOf sink: String, environment: [String: String], folder: URL, rate: Int) throws {
        self.rate = rate
        file = folder.appendingPathComponent("monitor-\(UUID().uuidString.prefix(6)).raw")
        process = try ChildProcess("/usr/bin/parec", [
            "-d", "\(sink).monitor", "--raw", "--format=s16le", "--rate=\(rate)",
            "--channels=1", "--latency-msec=5", file.path,
        ], environment: environment)
        // Return only once the recorder hears the sink, so nothing played after this is missed.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
            if size >= rate / 5 { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Stops recording; returns the samples (−1…1).
    public func stop() -> [Float] {
        process.signal(SIGINT)
        _ = process.wait(timeout: 3)
        process.stop()
        return floatSamples((try? Data(contentsOf: file)) ?? Data())
    }
}

