import ArgumentParser
import AudioIO
import Foundation
import Player
import SessionKit
import Sound
import SystemIO

extension Voice {
    /// `psoas voice record`: record cues in your own voice through ALSA capture.
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
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
                let settings = try Library.settings()
                let capture = DeviceChoice.capture(device, settings: settings)
                let recorder = ClipRecorder(captureDevice: capture.name,
                                            countInDevice: DeviceChoice.playback(toneDevice, settings: settings).name,
                                            maximumSeconds: maximumSeconds, readsKeys: interactive)
                defer { recorder.restoreTerminal() }
                var saved = 0
                do {
                    takes: for (number, id) in cues.enumerated() {
                        Console.error("[\(number + 1)/\(cues.count)] \(id): \(manifest.text(for: id) ?? "")")
                        while true {
                            recorder.countIn()
                            let take = try recorder.record { Console.error("recording: speak now") }
                            guard take.heardSpeech else {
                                guard interactive else {
                                    Console.error("heard nothing: is the microphone on '\(capture.name)'?")
                                    throw Failure.data("nothing was recorded for \(id)")
                                }
                                Console.error("heard nothing: is the microphone on '\(capture.name)'? r again, s skip, q quit.")
                                switch try recorder.answer() {
                                case .keep, .again: continue
                                case .skip: continue takes
                                case .quit: break takes
                                }
                            }
                            let prepared: MonoAudio
                            do throws(AudioIOError) {
                                prepared = try ClipProcessor.prepare(MonoAudio(samples: take.samples, sampleRate: ClipRecorder.sampleRate)).audio
                            } catch {
                                throw Failure.data("the take of \(id) cannot be used: \(error.message)")
                            }
                            if let misfit = lengthCheck.tooLong([id: prepared]).first {
                                guard interactive else {
                                    throw Failure.data("take too long: \(misfit)\nnothing was saved; record it again a little faster")
                                }
                                Console.error("too long: \(misfit)\nr again (a little faster), s skip, q quit.")
                                switch try recorder.answer(enterKeeps: false) {
                                case .keep, .again: continue
                                case .skip: continue takes
                                case .quit: break takes
                                }
                            }
                            if interactive {
                                Console.error(String(format: "%.1f s. Enter keeps it, r again, s skip, q quit.", prepared.seconds))
                                switch try recorder.answer() {
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
                } catch let problem as ClipRecorder.Problem {
                    throw Failure(recording: problem, from: capture)
                }
                Console.notice("saved \(saved) clip\(saved == 1 ? "" : "s") in \(target)")
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

extension Failure {
    /// The failure and exit code for a recorder's problem: 69 for the capture device, 130 for
    /// an interrupt.
    init(recording problem: ClipRecorder.Problem, from device: DeviceChoice) {
        switch problem {
        case let .cannotOpen(error):
            self.init(message: "cannot record from ALSA device \(device.described): \(error.message)\nList the devices with 'psoas devices --capture' and choose one with --device.", code: .unavailable)
        case let .readFailed(error):
            self.init(message: "recording from '\(error.device)' failed: \(error.message)", code: .unavailable)
        case .interrupted:
            self.init(message: "", code: .interrupted)
        }
    }
}
