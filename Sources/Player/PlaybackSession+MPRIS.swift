import Foundation
import MediaBus
import SystemIO

/// MPRIS on the session bus: opened with the session, served from its poll loop (see `MPRISPlayer.swift`).
extension PlaybackSession {
    /// What the session does about MPRIS.
    public struct MediaBusChoice: Sendable {
        /// Whether to be on the bus at all (`--no-mpris`, the settings' `mpris: false`).
        public var enabled: Bool
        /// Whether to say what became of it (`--verbose`): on the bus, not, and why.
        public var verbose: Bool
        /// Where the session bus's address comes from.
        public var environment: [String: String]
        /// `xesam:artist`: the voice pack's name.
        public var artist: String

        public init(enabled: Bool, verbose: Bool, environment: [String: String], artist: String) {
            self.enabled = enabled
            self.verbose = verbose
            self.environment = environment
            self.artist = artist
        }
    }

    /// Takes a name on the session bus, if there is one. Without one the session plays as it
    /// would anyway; only `verbose` says so. Call before ``run()``.
    public func openMediaBus(_ choice: MediaBusChoice) {
        guard choice.enabled else {
            if choice.verbose { output.message("MPRIS is off: media keys and MPRIS clients cannot reach psoas") }
            return
        }
        mediaBusVerbose = choice.verbose
        do throws(MPRISPlayer.Absence) {
            let player = try MPRISPlayer(engine: engine, environment: choice.environment, artist: choice.artist)
            mpris = player
            if choice.verbose { output.message("MPRIS: \(player.name) on the session bus") }
        } catch {
            if choice.verbose { output.message(error.message) }
        }
    }

    /// The bus's descriptor, for the poll set.
    var mediaBusDescriptors: [FileDescriptor] { mpris.map { [$0.descriptor] } ?? [] }

    /// How long the poll may wait, at most `limit` milliseconds: sooner when sd-bus needs it.
    func pollTimeout(atMost limit: Int32) -> Int32 { mpris?.timeout(atMost: limit) ?? limit }

    /// Answers the bus and announces changes; a lost bus is let go (said with `--verbose`).
    func serveMediaBus() {
        guard let mpris else { return }
        do throws(BusError) {
            try mpris.serve()
        } catch {
            self.mpris = nil
            if mediaBusVerbose { say("the D-Bus session bus was lost (\(error)): media keys and MPRIS clients cannot reach psoas") }
        }
    }
}
