import Foundation

/// Writing files the user asked for: whole or not at all.
enum OutputFile {
    /// Writes `data` to a temporary file beside `path` and renames it into place.
    /// - Throws: ``Failure`` with exit 73 when the file cannot be created, 74 when writing fails.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(message: "error: cannot create \(path): \(folder) is not a folder", code: .cannotCreate)
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw Failure(message: "error: cannot write \(path): \(error.localizedDescription)", code: .cannotCreate)
        }
    }
}
