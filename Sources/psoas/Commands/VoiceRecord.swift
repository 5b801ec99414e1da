import ArgumentParser
import AudioIO
import Foundation
import SessionKit
import Sound
import SystemIO

extension Voice {
    /// `psoas voice record`: record cues in your own voice through ALSA capture.
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record cues in your own voice into your pack NAME.",
            discussion: """
                For each cue: its German text is shown, a short tone counts in, then speak; recording \
                stops after about 1.2 s of silence (or Enter). Enter keeps the take, r records it again, \
                s skips the cue, q quits (kept takes stay). A take too long for a breath phase or wait \
                its cue is spoken in by a built-in session is refused: r records it again. Without a \
                terminal, name one cue with --cue: it records at once and stops on silence.
                """
        )

        @Argument(help: "The pack's name (lowercase letters, digits, - and _).")
        var name: String

        @Option(help: ArgumentHelp("Record this cue only.", valueName: "id"), completion: Completions.cues)
        var cue: String?

        @Flag(help: "Record only the cues the pack has no clip for yet.")
        var missing = false

        @Option(name: [.customShort("D"), .long], help: ArgumentHelp("The ALSA capture device (default: $PSOAS_CAPTURE_DEVICE, else your settings' 'capture-device', else 'default'). 'psoas devices --capture' lists them.", valueName: "device"))
        var device: String?

        @Option(help: ArgumentHelp("The ALSA device for the count-in tone (default: as for play).", valueName: "device"))
        var toneDevice: String?

        @Option(help: "The longest take, in seconds.")
        var maximumSeconds: Double = 30

        static let rate = 48_000

        func validate() throws {
            if let problem = Library.problemWithPackName(name) { throw ValidationError(problem) }
            if cue != nil, missing { throw ValidationError("--cue and --missing: choose one") }
            guard (1...120).contains(maximumSeconds) else { throw ValidationError("--maximum-seconds: expected 1 to 120") }
        }

        @OptionGroup var notices: NoticeOptions

        func run() throws {
            notices.apply()
            try reportingFailures {
                let library = try Library.locate()
                let manifest = try library.manifest()
                let target = Library.userVoicesDirectory + "/" + name
                let interactive = Terminal.standardInputIsTerminal
                if !interactive, cue == nil {
                    throw Failure.usage("without a terminal, name one cue with --cue")
                }
                var cues = manifest.ids
                if let cue {
                    guard manifest.text(for: cue) != nil else {
                        throw Failure.usage("'\(cue)' is not a cue id (psoas voice cues lists them)")
                    }
                    cues = [cue]
                } else if missing {
                    let have = (try? VoicePack.open(directory: target, cues: manifest).clipPaths) ?? [:]
                    cues = cues.filter { have[$0] == nil }
                }
                let lengthCheck = try ClipLengthCheck(pack: name, replacing: Set(cues), library: library, manifest: manifest)
                let terminal = Terminal()
                if interactive { terminal.enterRawMode() }
                defer { terminal.restore() }
                let settings = try Library.settings()
                let capture = DeviceChoice.capture(device, settings: settings)
                let captureDevice = capture.name
                let countInDevice = DeviceChoice.playback(toneDevice, settings: settings).name
                var saved = 0
                takes: for (number, id) in cues.enumerated() {
                    Console.error("[\(number + 1)/\(cues.count)] \(id): \(manifest.text(for: id) ?? "")")
                    while true {
                        countIn(on: countInDevice)
                        let take = try record(from: capture, terminal: interactive ? terminal : nil)
                        guard take.heardSpeech else {
                            guard interactive else {
                                Console.error("heard nothing: is the microphone on '\(captureDevice)'?")
                                throw Failure.data("nothing was recorded for \(id)")
                            }
                            Console.error("heard nothing: is the microphone on '\(captureDevice)'? r again, s skip, q quit.")
                            switch try ask(terminal) {
                            case .keep, .again: continue
                            case .skip: continue takes
                            case .quit: break takes
                            }
                        }
                        let prepared: MonoAudio
                        do throws(AudioIOError) {
                            prepared = try ClipProcessor.prepare(MonoAudio(samples: take.samples, sampleRate: Self.rate)).audio
                        } catch {
                            throw Failure.data("the take of \(id) cannot be used: \(error.message)")
                        }
                        if let misfit = lengthCheck.tooLong([id: prepared]).first {
                            guard interactive else {
                                throw Failure.data("take too long: \(misfit)\nnothing was saved; record it again a little faster")
                            }
                            Console.error("too long: \(misfit)\nr again (a little faster), s skip, q quit.")
                            switch try ask(terminal, enterKeeps: false) {
                            case .keep, .again: continue
                            case .skip: continue takes
                            case .quit: break takes
                            }
                        }
                        if interactive {
                            Console.error(String(format: "%.1f s. Enter keeps it, r again, s skip, q quit.", prepared.duration))
                            switch try ask(terminal) {
                            case .keep: break
                            case .again: continue
                            case .skip: continue takes
                            case .quit: break takes
                            }
                        }
                        try save(prepared, cue: id, into: target, manifest: manifest)
                        saved += 1
                        continue takes
                    }
                }
                Console.notice("saved \(saved) clip\(saved == 1 ? "" : "s") in \(target)")
            }
        }

        enum Answer { case keep, again, skip, quit }

        /// Waits for Enter, r, s or q; for r, s or q only when Enter may not keep the take.
        func ask(_ terminal: Terminal, enterKeeps: Bool = true) throws -> Answer {
            while true {
                _ = Poller.readable([.standardInput], timeout: 200)
                for byte in terminal.readAvailable() {
                    switch byte {
                    case 0x0A, 0x0D: if enterKeeps { return .keep }
                    case UInt8(ascii: "r"): return .again
                    case UInt8(ascii: "s"): return .skip
                    case UInt8(ascii: "q"): return .quit
                    default: continue
                    }
                }
                if SignalFlags.take() != 0 { throw ExitCode(130) }
            }
        }

        /// A short soft tone before each take; silently left out when no device can play it.
        func countIn(on device: String) {
            guard let output = try? AlsaPlayback(device: device, sampleRate: Self.rate, channelCount: 1) else { return }
            let frames = Self.rate * 15 / 100
            var tone = [Int16](repeating: 0, count: frames)
            for index in 0..<frames {
                let time = Double(index) / Double(Self.rate)
                let envelope = min(1, min(time, Double(frames - index) / Double(Self.rate)) / 0.02)
                tone[index] = Int16(0.25 * envelope * sin(2 * Double.pi * 880 * time) * 32_767)
            }
            tone.withUnsafeBufferPointer { try? output.write($0.baseAddress!, frameCount: frames) }
            output.drain()
        }

        /// Records until silence follows speech, Enter, or the longest take.
        func record(from device: DeviceChoice, terminal: Terminal?) throws -> (samples: [Float], heardSpeech: Bool) {
            let capture: AlsaCapture
            do throws(DeviceError) {
                capture = try AlsaCapture(device: device.name, sampleRate: Self.rate)
            } catch {
                throw Failure(message: "cannot record from ALSA device \(device.described): \(error.message)\nList the devices with 'psoas devices --capture' and choose one with --device.", code: .unavailable)
            }
            SignalFlags.install()
            let window = Self.rate / 100
            var buffer = [Int16](repeating: 0, count: window)
            var detector = SpeechEndDetector(sampleRate: Self.rate)
            var samples: [Float] = []
            // The first 150 ms may still hold the count-in.
            for _ in 0..<15 { try buffer.withUnsafeMutableBufferPointer { try read(capture, $0) } }
            Console.error("recording: speak now")
            let limit = Int(maximumSeconds * Double(Self.rate))
            while samples.count < limit {
                try buffer.withUnsafeMutableBufferPointer { try read(capture, $0) }
                samples += buffer.map { Float($0) / 32_768 }
                let done = buffer.withUnsafeBufferPointer { detector.feed($0) }
                if done { break }
                if let terminal, terminal.readAvailable().contains(where: { $0 == 0x0A || $0 == 0x0D }) { break }
                if SignalFlags.take() != 0 { throw ExitCode(130) }
            }
            return (samples, detector.heardSpeech)
        }

        private func read(_ capture: AlsaCapture, _ buffer: UnsafeMutableBufferPointer<Int16>) throws {
            do throws(DeviceError) {
                try capture.read(into: buffer.baseAddress!, frameCount: buffer.count)
            } catch {
                throw Failure(message: "recording from '\(error.device)' failed: \(error.message)", code: .unavailable)
            }
        }

        func save(_ audio: MonoAudio, cue id: String, into target: String, manifest: CueManifest) throws {
            _ = try Library.userPackFolder(name)
            do throws(OutputError) {
                try ClipProcessor.write(audio, to: "\(target)/\(id).flac", title: manifest.text(for: id) ?? id)
            } catch {
                throw Failure(outputError: error)
            }
            Console.notice("saved \(target)/\(id).flac")
        }
    }
}
