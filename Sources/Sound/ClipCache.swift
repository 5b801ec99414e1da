import Synchronization
import SystemIO

/// Voice clips as the render reads them (16-bit samples at the timeline's rate, with their
/// ramps: what ``RenderPlan`` decodes into a ``ClipStore``), kept in files so that the next
/// render reads them instead of decoding FLAC: `$XDG_CACHE_HOME/psoas/clips/` (default
/// `~/.cache/psoas/clips/`).
///
/// An entry is found by a ``Key``: the clip file's path, size, inode, modification and change
/// times (in nanoseconds), the rate, the length in frames and ``formatVersion``. A clip file
/// that is touched or written anew has another key, and is decoded again. An entry holds its
/// key, its length and a checksum of its samples; one whose header, length or checksum does
/// not match (cut off by a crash, damaged) is ignored and written anew. Entries are written to
/// a temporary file and renamed into place, so a reader never sees half of one.
///
/// The cache is a convenience, never an error: a folder that cannot be created or written (a
/// read-only home, a full disk) leaves the clips decoded as before. It stays bounded: whenever
/// a process first writes an entry, entries unused for ``unusedDaysBeforeRemoval`` days are
/// removed, then the least recently used ones while the folder holds more than
/// ``sizeLimitBytes``. Reading an entry marks it used (its modification time, at most once a day).
///
/// Thread-safety: any thread may call ``load(_:into:decode:)`` at any time (the decoding
/// helper and the rendering thread may both); the few flags it keeps are atomic, and entries
/// are written under names of their own. Never on the audio thread: it does file I/O.
public final class ClipCache: Sendable {
    /// The version of what an entry holds: bump it whenever the samples of a clip change for the
    /// same file (``RenderPlan``'s decoding, resampling, ramps or quantising), so that old
    /// entries are no longer found (they are removed once unused for long enough).
    static let formatVersion: UInt32 = 1
    /// Entries not read for this many days are removed.
    public static let unusedDaysBeforeRemoval = 30
    /// The most the folder holds; past it the least recently used entries are removed.
    public static let sizeLimitBytes: Int64 = 256 << 20

    /// The folder the entries are in.
    public let folder: String
    /// The most the folder holds (``sizeLimitBytes`` unless a test says otherwise).
    let sizeLimit: Int64
    /// Clips read from the cache, and clips decoded for want of an entry, by this instance.
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    /// Cleared when an entry cannot be written: the rest of this process does not try again.
    private let isWritable = Atomic<Bool>(true)
    /// Set once this process has pruned the folder.
    private let isPruned = Atomic<Bool>(false)

    static let magic: [UInt8] = Array("PSOASCLP".utf8)
    static let fixedHeaderBytes = 32
    static let nanosecondsPerDay: Int64 = 86_400 * 1_000_000_000

    /// A cache in `folder`, created when the first entry is written.
    /// - Parameter sizeLimit: the most the folder holds, in bytes.
    public init(folder: String, sizeLimit: Int64 = ClipCache.sizeLimitBytes) {
        self.folder = folder
        self.sizeLimit = sizeLimit
    }

    /// How many clips this cache has given instead of decoding them.
    package var hitCount: Int { hits.load(ordering: .relaxed) }
    /// How many clips were decoded because the cache had no valid entry for them.
    package var missCount: Int { misses.load(ordering: .relaxed) }

    /// The user's cache: `$XDG_CACHE_HOME/psoas/clips`, else `$HOME/.cache/psoas/clips`; `nil`
    /// when neither is set (an `XDG_CACHE_HOME` that is not an absolute path is ignored, as the
    /// XDG base directory specification asks).
    public convenience init?(environment: [String: String]) {
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            self.init(folder: cache + "/psoas/clips")
        } else if let home = environment["HOME"], !home.isEmpty {
            self.init(folder: home + "/.cache/psoas/clips")
        } else {
            return nil
        }
    }

    // MARK: - Keys

    /// What makes a clip's samples what they are.
    struct Key: Equatable {
        var path: String
        var file: FileStatus
        var sampleRate: Int
        var frameCount: Int

        /// The key of the clip file at `path` as it is now; `nil` when it cannot be read.
        init?(path: String, sampleRate: Int, frameCount: Int) {
            guard let file = try? FileStatus(path: path), file.kind == .regular else { return nil }
            self.path = path
            self.file = file
            self.sampleRate = sampleRate
            self.frameCount = frameCount
        }

        /// Every part of the key, as stored in the entry and compared when it is read.
        var text: String {
            "psoas clip \(ClipCache.formatVersion)\n\(path)\n\(file.size) \(file.inode) \(file.modificationNanoseconds) "
                + "\(file.changeNanoseconds)\n\(sampleRate) \(frameCount)\n"
        }

        /// The entry's file name: the key's 64-bit FNV-1a hash in hexadecimal (the entry holds
        /// the whole key, so two keys with one hash only take each other's place).
        var fileName: String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in text.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            let digits = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits + ".clip"
        }
    }

    // MARK: - Reading and writing

    /// Fills `storage` with the `frameCount` samples of the clip file at `path` at `sampleRate`:
    /// from the cache when it holds them, else by calling `decode`, whose samples are then
    /// stored for the next time (unless the file changed while it was decoded).
    /// - Throws: what `decode` throws; the cache itself never fails.
    func load<Failure: Error>(path: String, sampleRate: Int, frameCount: Int, into storage: UnsafeMutablePointer<Int16>,
                              decode: () throws(Failure) -> Void) throws(Failure) {
        guard let key = Key(path: path, sampleRate: sampleRate, frameCount: frameCount) else {
            // Cannot be read now: decoding says why.
            try decode()
            return
        }
        if read(key, into: storage) {
            hits.add(1, ordering: .relaxed)
            return
        }
        misses.add(1, ordering: .relaxed)
        try decode()
        guard Key(path: path, sampleRate: sampleRate, frameCount: frameCount) == key else { return }
        write(key, storage)
    }

    /// Whether the cache has an entry for the clip file at `path` as it is now, of the right
    /// length (its samples are checked only when read): the file was decoded whole before.
    func holds(path: String, sampleRate: Int, frameCount: Int) -> Bool {
        guard let key = Key(path: path, sampleRate: sampleRate, frameCount: frameCount),
              let (entry, _) = openEntry(key) else { return false }
        try? entry.close()
        return true
    }

    /// Whether the entry of `key` is there, whole and undamaged; its samples are then in `storage`.
    func read(_ key: Key, into storage: UnsafeMutablePointer<Int16>) -> Bool {
        guard let (entry, header) = openEntry(key) else { return false }
        defer { try? entry.close() }
        let sampleBytes = key.frameCount * MemoryLayout<Int16>.size
        guard Self.read(entry, into: UnsafeMutableRawBufferPointer(start: storage, count: sampleBytes), at: Int64(header.count)),
              header.checksum == Self.checksum(storage, count: key.frameCount) else { return false }
        if let status = try? entry.status(), WallClock.nowNanoseconds() - status.modificationNanoseconds > Self.nanosecondsPerDay {
            // Used now: the pruning goes by this time. A file that cannot be touched stays as it is.
            try? entry.touch()
        }
        return true
    }

    /// The entry of `key`, open, when its header holds this key and its length fits it; with
    /// the header's length and the checksum it gives for the samples that follow.
    private func openEntry(_ key: Key) -> (FileDescriptor, (count: Int, checksum: UInt64))? {
        guard let entry = try? FileDescriptor.open(folder + "/" + key.fileName, .readOnly) else { return nil }
        let keyBytes = Array(key.text.utf8)
        let headerBytes = Self.fixedHeaderBytes + keyBytes.count
        var header = [UInt8](repeating: 0, count: headerBytes)
        let expected = Self.header(key: keyBytes, frameCount: key.frameCount, checksum: 0)
        // Everything but the checksum (bytes 24..<32) is known before reading the samples.
        guard let status = try? entry.status(),
              status.size == Int64(headerBytes + key.frameCount * MemoryLayout<Int16>.size),
              header.withUnsafeMutableBytes({ Self.read(entry, into: $0, at: 0) }),
              header[0..<24] == expected[0..<24], header[Self.fixedHeaderBytes...] == expected[Self.fixedHeaderBytes...]
        else {
            try? entry.close()
            return nil
        }
        let checksum = header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self)) }
        return (entry, (headerBytes, checksum))
    }

    /// Stores `storage`'s samples under `key`: written to a new file, then renamed into place.
    /// Any failure leaves the folder as it was and stops this process's writing.
    func write(_ key: Key, _ storage: UnsafePointer<Int16>) {
        guard isWritable.load(ordering: .relaxed) else { return }
        let name = key.fileName
        do throws(Errno) {
            try FileSystem.createFolder(folder, permissions: 0o700)
            let (file, temporary) = try FileDescriptor.createUnique(inFolder: folder, prefix: "." + name + ".")
            let header = Self.header(key: Array(key.text.utf8), frameCount: key.frameCount,
                                     checksum: Self.checksum(storage, count: key.frameCount))
            let samples = UnsafeRawBufferPointer(start: storage, count: key.frameCount * MemoryLayout<Int16>.size)
            let written: Errno? = header.withUnsafeBytes { raw in
                do throws(Errno) {
                    try file.write(all: raw)
                    try file.write(all: samples)
                    return nil
                } catch {
                    return error
                }
            }
            // Closed once, whatever happened: the number may be another file's right after.
            let closed = Result { () throws(Errno) in try file.close() }
            do throws(Errno) {
                if let written { throw written }
                try closed.get()
                try FileSystem.rename(temporary, to: folder + "/" + name)
            } catch {
                try? FileSystem.remove(temporary)
                throw error
            }
        } catch {
            isWritable.store(false, ordering: .relaxed)
            return
        }
        if isPruned.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            prune(keeping: name)
        }
    }

    // MARK: - Entries

    /// An entry's header: the magic, ``formatVersion``, the key's length, the frame count, the
    /// checksum (all little-endian), then the key.
    static func header(key: [UInt8], frameCount: Int, checksum: UInt64) -> [UInt8] {
        var header = magic
        withUnsafeBytes(of: formatVersion.littleEndian) { header += $0 }
        withUnsafeBytes(of: UInt32(key.count).littleEndian) { header += $0 }
        withUnsafeBytes(of: UInt64(frameCount).littleEndian) { header += $0 }
        withUnsafeBytes(of: checksum.littleEndian) { header += $0 }
        return header + key
    }

    /// Fletcher's checksum over 64-bit words (modulo 2⁶⁴), the last few samples one at a time: a
    /// changed, missing or moved sample changes it. About a millisecond for a minute of clips.
    static func checksum(_ samples: UnsafePointer<Int16>, count: Int) -> UInt64 {
        var sum: UInt64 = 1
        var sumOfSums: UInt64 = 0
        let raw = UnsafeRawPointer(samples)
        let words = count / 4
        for index in 0..<words {
            sum &+= raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
            sumOfSums &+= sum
        }
        for index in (words * 4)..<count {
            sum &+= UInt64(UInt16(bitPattern: samples[index]))
            sumOfSums &+= sum
        }
        return sumOfSums ^ (sum &* 0x9e37_79b9_7f4a_7c15)
    }

    /// Whether all of `buffer` was read from `offset`.
    static func read(_ file: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Bool {
        var done = 0
        while done < buffer.count {
            guard let count = try? file.read(fromAbsoluteOffset: offset + Int64(done),
                                             into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...])),
                  count > 0 else { return false }
            done += count
        }
        return true
    }

    /// Removes entries unused for ``unusedDaysBeforeRemoval`` days and temporary files left for a
    /// day (a process that died while writing), then the least recently used entries while the
    /// rest hold more than the size limit, never the entry just written (`kept`).
    func prune(keeping kept: String) {
        guard let names = try? FileSystem.names(inFolder: folder) else { return }
        let now = WallClock.nowNanoseconds()
        var entries: [(name: String, status: FileStatus)] = []
        for name in names {
            guard let status = try? FileStatus(path: folder + "/" + name), status.kind == .regular else { continue }
            let age = now - status.modificationNanoseconds
            if name.hasPrefix(".") {
                if age > Self.nanosecondsPerDay { try? FileSystem.remove(folder + "/" + name) }
            } else if name.hasSuffix(".clip") {
                if age > Int64(Self.unusedDaysBeforeRemoval) * Self.nanosecondsPerDay {
                    try? FileSystem.remove(folder + "/" + name)
                } else {
                    entries.append((name, status))
                }
            }
        }
        var total = entries.reduce(Int64(0)) { $0 + $1.status.size }
        for entry in entries.sorted(by: { $0.status.modificationNanoseconds < $1.status.modificationNanoseconds })
        where total > sizeLimit && entry.name != kept {
            try? FileSystem.remove(folder + "/" + entry.name)
            total -= entry.status.size
        }
    }
}
