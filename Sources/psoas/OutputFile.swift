import Foundation
import SystemIO

/// Writing files the user asked for: whole or not at all.
enum OutputFile {
    /// Writes `data` to `path` (`-`: standard output) as ``OutputTarget`` does: a file is
    /// replaced only when complete.
    /// - Throws: ``Failure`` with exit 73 when the file cannot be created, 74 when writing fails.
    static func writeAtomically(_ data: Data, to path: String) throws {
        do throws(OutputError) {
            let target = try OutputTarget.at(path, seekable: false)
            try target.write([UInt8](data))
            try OutputTarget.commit([target])
        } catch {
            throw Failure(outputError: error)
        }
    }
}

extension OutputTarget {
    /// The target for a path the user named: `-` is standard output.
    static func at(_ path: String, seekable: Bool) throws(OutputError) -> OutputTarget {
        path == "-" ? .standardOutput() : try OutputTarget(path: path, seekable: seekable)
    }
}
