import Dispatch
import Planning
import Synchronization

/// The waveforms a render reads (voice clips, tones) as 16-bit samples, each decoded or
/// synthesised only when the render comes near its first use and, when rendering streams
/// ahead, released once the render has passed its last use: memory holds what is sounding
/// now, not the whole pack.
///
/// Clips are numbered in the order of their first use. The render path reads a clip through
/// ``samples(_:)``, which never decodes: a clip not yet there is silent. Two ways fill the store:
/// - ``prepare(from:to:)`` (an export, a loudness pass): called before each block on the
///   rendering thread, it decodes the clips the block reaches and frees those behind it.
///   With ``decodeAhead(limit:)`` (an export) a helper thread decodes the same clips in the
///   same order a few ahead, and `prepare` takes each as the render reaches it.
/// - ``decodeInBackground()`` (play): a helper thread decodes every clip in order of first use
///   and publishes each as it is done; clips are then kept until the store goes away.
///
/// Thread-safety: ``samples(_:)`` may be called from the audio thread while the background
/// helper publishes (it allocates nothing and takes no lock: one atomic load per call).
/// ``prepare(from:to:)`` must be called on the thread that renders, and not together with
/// ``decodeInBackground()``. The helper of ``decodeAhead(limit:)`` only hands decoded clips to
/// `prepare` (see ``DecodeAhead``): the table is written by the rendering thread alone.
final class ClipStore: @unchecked Sendable {
    /// One waveform: what makes it, how long it is, and the span of the timeline that uses it.
    struct Clip: Sendable {
        enum Source: Sendable {
            /// A voice clip decoded from the pack (with its 5 ms ramps).
            case voice(cue: String)
            /// A synthesised tone at unit level.
            case tone(ToneName)
        }

        var source: Source
        var frameCount: Int
        /// Where the timeline plays it.
        var uses: [Range<Int64>]

        var firstStart: Int64 { uses.map(\.lowerBound).min() ?? 0 }
    }

    /// A stretch of the timeline through which a clip is kept: its uses no further apart than
    /// ``keptGapSeconds``.
    struct Residency {
        var clip: Int
        var span: Range<Int64>
    }

    /// A voice clip used again within this long stays decoded in between (a cue on every breath
    /// is decoded once); used again later, it is freed and decoded anew. A tone stays from its
    /// first use to its last: there are few, and synthesising one costs more than decoding.
    static let keptGapSeconds = 30.0

    /// Writes a clip's ``Clip/frameCount`` samples, as 16 bits (see ``quantize(_:into:count:)``),
    /// into the storage given.
    typealias Maker = @Sendable (Clip, UnsafeMutablePointer<Int16>) throws(RenderPlan.Failure) -> Void

    let clips: [Clip]
    private let make: Maker
    /// One pointer a clip, `nil` until decoded (and again once released).
    private let table: UnsafeMutablePointer<UnsafeMutablePointer<Int16>?>
    /// Clips `0..<published` may be read from the table (the rest are being written by the helper).
    private let published: Atomic<Int>
    /// When each clip is needed, by start (for decoding) and by end (for releasing).
    private let byStart: [Residency]
    private let byEnd: [Residency]
    private var nextToDecode = 0
    private var nextToRelease = 0
    private var preparedFrom: Int64 = 0
    /// The first decoding failure of the background helper.
    private let failureLock = Mutex<RenderPlan.Failure?>(nil)
    /// The helper decoding ahead of ``prepare(from:to:)``, if started.
    private var ahead: DecodeAhead?

    /// - Parameters:
    ///   - clips: in order of first use.
    ///   - sampleRate: the timeline's.
    init(clips: [Clip], sampleRate: Int, make: @escaping Maker) {
        self.clips = clips
        self.make = make
        table = .allocate(capacity: max(1, clips.count))
        table.initialize(repeating: nil, count: max(1, clips.count))
        published = Atomic(clips.count)
        let voiceGap = Int64(Self.keptGapSeconds * Double(sampleRate))
        var residencies: [Residency] = []
        for (index, clip) in clips.enumerated() {
            let gap: Int64 = if case .voice = clip.source { voiceGap } else { .max }
            for use in clip.uses.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = residencies.last, last.clip == index, use.lowerBound - last.span.upperBound <= gap {
                    residencies[residencies.count - 1].span = last.span.lowerBound..<max(last.span.upperBound, use.upperBound)
                } else {
                    residencies.append(Residency(clip: index, span: use))
                }
            }
        }
        byStart = residencies.sorted { ($0.span.lowerBound, $0.clip) < ($1.span.lowerBound, $1.clip) }
        byEnd = residencies.sorted { ($0.span.upperBound, $0.clip) < ($1.span.upperBound, $1.clip) }
    }

    deinit {
        ahead?.stop()
        for index in clips.indices { table[index]?.deallocate() }
        table.deallocate()
    }

    /// The samples of clip `index`, or `nil` while it is not decoded.
    ///
    /// Allocates nothing and takes no lock: it may be called on the audio thread.
    @inline(__always)
    func samples(_ index: Int) -> UnsafePointer<Int16>? {
        guard index < published.load(ordering: .acquiring) else { return nil }
        return UnsafePointer(table[index])
    }

    /// How many clips are decoded now (read on the thread that prepares, or once complete).
    var decodedCount: Int { clips.indices.count { table[$0] != nil } }

    /// Whether every clip is published and decoded.
    var isComplete: Bool {
        published.load(ordering: .acquiring) == clips.count && decodedCount == clips.count
    }

    /// Makes sure every clip used in `[start, end)` is decoded, and frees the clips whose
    /// residency (see ``Residency``) ends at or before `start`. Cheap when nothing changes: two
    /// cursors move forward with the render; after a seek backwards they start over.
    /// - Throws: ``RenderPlan/Failure`` naming the cue and file of a clip that cannot be decoded.
    func prepare(from start: Int64, to end: Int64) throws(RenderPlan.Failure) {
        if start < preparedFrom {
            nextToDecode = 0
            nextToRelease = 0
            // The helper decodes in one pass forwards: after a seek back, decode here again.
            ahead?.stop()
            ahead = nil
        }
        preparedFrom = start
        // A clip's residencies are apart, so one ending never frees a clip another one needs
        // now (after a seek backwards, the clip is decoded again just below).
        while nextToRelease < byEnd.count, byEnd[nextToRelease].span.upperBound <= start {
            release(byEnd[nextToRelease].clip)
            nextToRelease += 1
        }
        while nextToDecode < byStart.count, byStart[nextToDecode].span.lowerBound < end {
            let residency = byStart[nextToDecode]
            let needed = table[residency.clip] == nil && residency.span.upperBound > start
            if let ahead {
                // The helper decoded every residency in this order: take this one, used or not.
                let decoded = ahead.take(nextToDecode)
                switch decoded {
                case let .success(storage) where needed: table[residency.clip] = storage.pointer
                case let .success(storage): storage.pointer.deallocate()
                case let .failure(failure) where needed: throw failure
                case .failure: break
                }
            } else if needed {
                try decode(residency.clip)
            }
            nextToDecode += 1
        }
    }

    /// Decodes the clips that ``prepare(from:to:)`` will need on a helper thread, in the order
    /// it needs them, at most `limit` ahead of it (memory grows by at most `limit` clips), so that
    /// the rendering thread mostly finds them ready. The result is the same, bit for bit, and a
    /// clip that cannot be decoded fails in `prepare` just as it would without the helper. Call
    /// it before the first `prepare`, for a render that goes forwards (an export).
    func decodeAhead(limit: Int) {
        guard ahead == nil, nextToDecode == 0, decodedCount == 0, !byStart.isEmpty else { return }
        let helper = DecodeAhead(clips: byStart.map { clips[$0.clip] }, limit: limit, make: make)
        ahead = helper
        DispatchQueue.global(qos: .userInitiated).async { helper.run() }
    }

    /// Decodes every clip, in order of first use.
    /// - Throws: the first clip's ``RenderPlan/Failure``.
    func decodeAll() throws(RenderPlan.Failure) {
        for index in clips.indices where table[index] == nil { try decode(index) }
    }

    /// Decodes the clips used in `[0, end)` now, then every other clip on a helper thread,
    /// publishing each as it is done (a clip that fails stays silent; see ``backgroundFailure``).
    /// - Throws: a failure of the clips decoded now.
    func decodeInBackground(after end: Int64) throws(RenderPlan.Failure) {
        var first = 0
        while first < clips.count, clips[first].firstStart < end {
            try decode(first)
            first += 1
        }
        guard first < clips.count else { return }
        published.store(first, ordering: .releasing)
        DispatchQueue.global(qos: .userInitiated).async { [self, first] in
            for index in first..<clips.count {
                do throws(RenderPlan.Failure) {
                    try decode(index)
                } catch {
                    failureLock.withLock { if $0 == nil { $0 = error } }
                }
                published.store(index + 1, ordering: .releasing)
            }
        }
    }

    /// The first clip the background helper could not decode, if any.
    var backgroundFailure: RenderPlan.Failure? { failureLock.withLock { $0 } }

    private func decode(_ index: Int) throws(RenderPlan.Failure) {
        let storage = UnsafeMutablePointer<Int16>.allocate(capacity: max(1, clips[index].frameCount))
        do {
            try make(clips[index], storage)
        } catch {
            storage.deallocate()
            throw error
        }
        table[index] = storage
    }

    private func release(_ index: Int) {
        table[index]?.deallocate()
        table[index] = nil
    }

    /// `count` samples scaled to 16 bits, rounded to nearest (ties to even), within ±32 767.
    ///
    /// Adding 1.5 × 2²³ rounds a float to the nearest integer in plain arithmetic and leaves
    /// that integer in the low bits of the sum's bit pattern (as in ``PCM/convert(_:into:count:)``),
    /// so the loop needs no conversion call and vectorises.
    static func quantize(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Int16>, count: Int) {
        let magic: Float = 12_582_912
        for index in 0..<count {
            let scaled = min(max(source[index] * 32_767, -32_767), 32_767)
            target[index] = Int16(truncatingIfNeeded: (scaled + magic).bitPattern)
        }
    }
}

/// A clip's storage on its way from the helper of ``ClipStore/decodeAhead(limit:)`` to the
/// rendering thread, which owns it from then on.
struct DecodedClip: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int16>
}

/// The helper thread of ``ClipStore/decodeAhead(limit:)``: decodes a list of clips in order,
/// at most `limit` ahead of the thread that takes them.
///
/// Thread-safety: ``run()`` runs on the helper thread; ``take(_:)`` and ``stop()`` on the
/// rendering thread. The decoded clips pass between them under a lock; two semaphores count
/// the clips ready and the room left.
final class DecodeAhead: @unchecked Sendable {
    private let clips: [ClipStore.Clip]
    private let make: ClipStore.Maker
    private let decoded: Mutex<[Int: Result<DecodedClip, RenderPlan.Failure>]>
    private let ready = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore
    private let stopped = Atomic<Bool>(false)

    init(clips: [ClipStore.Clip], limit: Int, make: @escaping ClipStore.Maker) {
        self.clips = clips
        self.make = make
        decoded = Mutex([:])
        // Made at 0 and raised: libdispatch traps when a semaphore is freed below the value it
        // was made with, which this one is when an export stops early.
        room = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, limit) { room.signal() }
    }

    deinit {
        decoded.withLock { $0.values.forEach { if case let .success(clip) = $0 { clip.pointer.deallocate() } } }
    }

    /// Decodes every clip in order, waiting for room before each; ends early once stopped.
    func run() {
        for index in clips.indices {
            room.wait()
            guard !stopped.load(ordering: .acquiring) else { return }
            let storage = UnsafeMutablePointer<Int16>.allocate(capacity: max(1, clips[index].frameCount))
            let result: Result<DecodedClip, RenderPlan.Failure>
            do throws(RenderPlan.Failure) {
                try make(clips[index], storage)
                result = .success(DecodedClip(pointer: storage))
            } catch {
                storage.deallocate()
                result = .failure(error)
            }
            decoded.withLock { $0[index] = result }
            ready.signal()
        }
    }

    /// Clip `index` (taken in order, each once), waiting until the helper has decoded it.
    func take(_ index: Int) -> Result<DecodedClip, RenderPlan.Failure> {
        ready.wait()
        room.signal()
        // Clips are decoded in order and taken in order: once one is ready, `index` is.
        guard let result = decoded.withLock({ $0.removeValue(forKey: index) }) else {
            preconditionFailure("clip \(index) taken out of order")
        }
        return result
    }

    /// Makes the helper stop after the clip it is decoding; what it decoded is freed with it.
    func stop() {
        stopped.store(true, ordering: .releasing)
        room.signal()
    }
}
