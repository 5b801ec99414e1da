#if canImport(Glibc)
import Glibc
#endif

/// Calls on paths rather than descriptors: folders, renaming, removing, listing.
public enum FileSystem {
    /// Creates the folder at `path` and any missing folder above it (`mkdir -p`); a folder
    /// already there is fine.
    /// - Parameter permissions: the mode of each folder made (the umask applies).
    /// - Throws: ``Errno`` from the first `mkdir` that fails for another reason than the folder
    ///   existing (``Errno/fileExists`` when something else than a folder stands in the way).
    public static func createFolder(_ path: String, permissions: mode_t) throws(Errno) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            do throws(Errno) {
                _ = try system { mkdir(prefix, permissions) }
            } catch {
                guard error == .fileExists, (try? FileStatus(path: prefix))?.kind == .directory else { throw error }
            }
            prefix += "/"
        }
    }

    /// Gives the file at `source` the name `target`, replacing what `target` named (`rename`):
    /// a reader of `target` sees the old file or the new one, never a mix.
    /// - Throws: ``Errno``.
    public static func rename(_ source: String, to target: String) throws(Errno) {
        _ = try system { Glibc.rename(source, target) }
    }

    /// Removes the file at `path` (`unlink`).
    /// - Throws: ``Errno`` (ENOENT when nothing is there).
    public static func remove(_ path: String) throws(Errno) {
        _ = try system { unlink(path) }
    }

    /// The names in the folder at `path`, without `.` and `..`, in no particular order.
    /// - Throws: ``Errno`` when the folder cannot be opened.
    public static func names(inFolder path: String) throws(Errno) -> [String] {
        guard let folder = opendir(path) else { throw Errno.current }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}
