/// Frame counts as the text people read: positions in the plan table, lengths, durations and
/// seconds in messages, WebVTT times. The one place where frames become clock text.
///
/// Each text is rounded to the nearest unit it shows, halves up (frame counts here are never
/// negative). Minutes do not roll into hours in ``position(_:)`` and ``duration(_:)``: a
/// table reads `75:00.00`, a length reads `1:15:00`.
public struct ClockText: Sendable, Hashable {
    /// Frames per second of the frame counts given.
    public var sampleRate: Int

    public init(sampleRate: Int) {
        self.sampleRate = sampleRate
    }

    // MARK: - Frame counts

    /// A position in the plan table, `m:ss.hh`: `0:00.00`, `7:28.05`, `75:00.00`.
    public func position(_ frames: Int64) -> String {
        let hundredths = rounded(frames, unitsPerSecond: 100)
        let seconds = (hundredths % 6000) / 100
        return "\(hundredths / 6000):\(Self.two(seconds)).\(Self.two(hundredths % 100))"
    }

    /// A length as people write it, to the nearest second: `7:28`, `1:02:05`.
    public func length(_ frames: Int64) -> String {
        let total = rounded(frames, unitsPerSecond: 1)
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? "\(hours):\(Self.two(minutes)):\(Self.two(seconds))" : "\(minutes):\(Self.two(seconds))"
    }

    /// How long something lasts, in the plan table: `6.00 s` under a minute, `1:00.00 min` from
    /// a minute on.
    public func duration(_ frames: Int64) -> String {
        let hundredths = rounded(frames, unitsPerSecond: 100)
        return hundredths >= 6000 ? position(frames) + " min" : Self.seconds(hundredths: hundredths)
    }

    /// Seconds with two decimals, for messages: `3.20 s`, `75.00 s`.
    public func seconds(_ frames: Int64) -> String {
        Self.seconds(hundredths: rounded(frames, unitsPerSecond: 100))
    }

    /// A WebVTT time, `hh:mm:ss.ttt`, to the millisecond: `00:07:28.050`.
    public func webVTT(_ frames: Int64) -> String {
        let milliseconds = rounded(frames, unitsPerSecond: 1000)
        let fraction = milliseconds % 1000
        let three = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        let (hours, minutes, seconds) = (milliseconds / 3_600_000, (milliseconds / 60_000) % 60, (milliseconds / 1000) % 60)
        return "\(Self.two(hours)):\(Self.two(minutes)):\(Self.two(seconds)).\(three)"
    }

    // MARK: - Counts already rounded

    /// `3.20 s` of a count of hundredths of a second, for callers that round their own way.
    public static func seconds(hundredths: Int64) -> String {
        "\(hundredths / 100).\(two(hundredths % 100)) s"
    }

    /// `3.2 s` of a count of tenths of a second.
    public static func seconds(tenths: Int64) -> String {
        "\(tenths / 10).\(tenths % 10) s"
    }

    /// Whole seconds as minutes and seconds, `m:ss`, minutes not rolling into hours: `0:05`, `75:03`.
    public static func minutesAndSeconds(_ seconds: Int) -> String {
        "\(seconds / 60):\(two(Int64(seconds % 60)))"
    }

    // MARK: - Helpers

    /// `frames` in units of 1/`unitsPerSecond` s, to the nearest, halves up.
    private func rounded(_ frames: Int64, unitsPerSecond: Int64) -> Int64 {
        (frames * unitsPerSecond + Int64(sampleRate) / 2) / Int64(sampleRate)
    }

    /// At least two digits: `05`, `12`.
    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
