#if canImport(Glibc)
import Glibc
#endif

/// The time of day as files carry it (`CLOCK_REALTIME`), to compare with a ``FileStatus``'s
/// times. Not for measuring durations: it jumps when the clock is set.
public enum WallClock {
    /// Now, in nanoseconds since 1970.
    public static func nowNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
