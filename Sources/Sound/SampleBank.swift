/// Every waveform a render needs (voice clips, tones), decoded or synthesised before
/// rendering starts, stored once as 16-bit samples in one flat buffer.
///
/// Build it off the audio thread; reading it is lock-free and allocation-free.
public struct SampleBank: Sendable {
    /// A waveform's place in ``storage``.
    public struct Slice: Sendable, Hashable {
        public var offset: Int
        public var count: Int
    }

    public private(set) var storage: [Int16] = []
    private var slices: [String: Slice] = [:]

    public init() {}

    /// Makes room for `sampleCount` samples in all, so adding them never copies the storage.
    public mutating func reserve(_ sampleCount: Int) {
        storage.reserveCapacity(sampleCount)
    }

    /// The slice stored under `key`, if any.
    public func slice(_ key: String) -> Slice? { slices[key] }

    /// Stores `samples` (nominally within −1…1) under `key`; returns its slice.
    @discardableResult
    public mutating func add(_ key: String, samples: [Float]) -> Slice {
        if let existing = slices[key] { return existing }
        let slice = Slice(offset: storage.count, count: samples.count)
        for sample in samples {
            let scaled = (sample * 32_767).rounded(.toNearestOrEven)
            storage.append(Int16(max(-32_767, min(32_767, scaled))))
        }
        slices[key] = slice
        return slice
    }
}
