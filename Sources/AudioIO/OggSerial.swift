import SystemIO

/// libsndfile gives every Ogg stream a serial number from the clock, so two exports of the
/// same session would differ. This rewrites every page's serial number to a fixed one and
/// recomputes the page checksum, which makes Ogg exports byte-for-byte repeatable.
enum OggSerial {
    /// "psoa" in ASCII.
    static let fixedSerial: UInt32 = 0x7073_6F61

    /// Rewrites the Ogg file open as `descriptor` in place.
    /// - Returns: `false` when the file is not a well-formed Ogg stream or an I/O call failed.
    static func normalize(descriptor: FileDescriptor) -> Bool {
        var offset: Int64 = 0
        var page = [UInt8](repeating: 0, count: 27 + 255 + 255 * 255)
        while true {
            let headerRead = page.withUnsafeMutableBytes {
                try? descriptor.read(fromAbsoluteOffset: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<27]))
            }
            if headerRead == 0 { return true }
            guard headerRead == 27, page[0] == 0x4F, page[1] == 0x67, page[2] == 0x67, page[3] == 0x53 else { return false }
            let segmentCount = Int(page[26])
            let tableRead = page.withUnsafeMutableBytes {
                try? descriptor.read(fromAbsoluteOffset: offset + 27,
                                     into: UnsafeMutableRawBufferPointer(rebasing: $0[27..<(27 + segmentCount)]))
            }
            guard tableRead == segmentCount else { return false }
            let bodyLength = page[27..<(27 + segmentCount)].reduce(0) { $0 + Int($1) }
            let length = 27 + segmentCount + bodyLength
            let bodyRead = page.withUnsafeMutableBytes {
                try? descriptor.read(fromAbsoluteOffset: offset + Int64(27 + segmentCount),
                                     into: UnsafeMutableRawBufferPointer(rebasing: $0[(27 + segmentCount)..<length]))
            }
            guard bodyRead == bodyLength else { return false }
            for index in 0..<4 {
                page[14 + index] = UInt8(truncatingIfNeeded: fixedSerial >> (8 * index))
                page[22 + index] = 0
            }
            let checksum = crc(page, count: length)
            for index in 0..<4 { page[22 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index)) }
            let written = page.withUnsafeBytes {
                try? descriptor.write(toAbsoluteOffset: offset, UnsafeRawBufferPointer(rebasing: $0[0..<length]))
            }
            guard written == length else { return false }
            offset += Int64(length)
        }
    }

    /// Ogg's page checksum: CRC-32, polynomial 0x04C11DB7, initial value 0, no reflection.
    static func crc(_ bytes: [UInt8], count: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<count {
            value = (value << 8) ^ table[Int(((value >> 24) ^ UInt32(bytes[index])) & 0xFF)]
        }
        return value
    }

    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index) << 24
        for _ in 0..<8 {
            value = value & 0x8000_0000 != 0 ? (value << 1) ^ 0x04C1_1DB7 : value << 1
        }
        return value
    }
}
