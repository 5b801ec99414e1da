import ArgumentParser
import Foundation
import JSONText
import Planning
import Player
import SessionKit
import SystemIO

extension Breathe {
    /// `psoas breathe calibrate`: measure the natural breath from key presses, suggest a pacing.
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calibrate",
            abstract: "Measure your natural breath from key presses and suggest a pacing pattern.",
            discussion: """
                A voice explains what to do, then it is quiet while you mark your breath (60 s \
                unless --seconds says otherwise), then the voice comes back. A terminal sends no \
                key releases, so you press, never hold: Space when an inhale starts, Space again \
                when the exhale starts, and so on in turn; Enter when a pause starts (optional); \
                q ends the marking early. The first Space is an inhale.

                The result: your mean inhale, pauses and exhale (tenths of a second), how much \
                your breaths varied, breaths per minute, and a suggested pattern up to 10 % slower \
                than yours, never faster, and never slower than 6 breaths a minute unless yours \
                is; calibrating again as your breath slows moves it towards 6 a minute. --save \
                writes it to your settings' 'breath:' (only that line changes).

                At least \(BreathCalibration.minimumBreathCount) full breaths are needed, between \
                \(Int(BreathCalibration.breathsPerMinuteRange.lowerBound)) and \
                \(Int(BreathCalibration.breathsPerMinuteRange.upperBound)) a minute, whose lengths \
                vary by at most \(Int(BreathCalibration.maximumVariation * 100)) % (standard \
                deviation over mean); else it says why, saves nothing and exits 65.
                """
        )

        static let secondsRange = 10...600

        @Option(help: ArgumentHelp("How long to mark, \(secondsRange.lowerBound) to \(secondsRange.upperBound) seconds (default 60).", valueName: "seconds"),
                transform: { try Int.argument($0, in: secondsRange) })
        var seconds: Int = 60

        @Flag(help: "Print the result as one JSON object on stdout.")
        var json = false

        @Flag(help: "Write the suggested pattern to your settings file's 'breath:'.")
        var save = false

        @Option(name: [.customShort("D"), .long], help: ArgumentHelp("The ALSA device for the spoken guidance (default: $PSOAS_DEVICE, else your settings' 'device', else 'default').", valueName: "device"))
        var device: String?

        @Option(help: ArgumentHelp("The voice pack to speak the guidance (default: your settings' 'voice', else de-espeak).", valueName: "name"), completion: Completions.voicePacks)
        var voice: String?

        @OptionGroup var notices: NoticeOptions

        func run() throws {
            notices.apply()
            try reportingFailures {
                guard Terminal.standardInputIsTerminal else {
                    throw Failure.usage("breathe calibrate reads your marks from the keys: run it in a terminal")
                }
                let settings = try Library.settings()
                // A settings file --save could not edit is refused before anything is asked of you.
                if save { _ = try Self.savedText(BreathPattern(inhale: Tenths(seconds: 4), exhale: Tenths(seconds: 6))) }
                let library = try Library.locate()
                let voice = voice ?? settings.voice ?? Library.builtinVoice
                let choice = DeviceChoice.playback(device, settings: settings)

                guard try speak(Self.guidance, library: library, voice: voice, device: choice) else {
                    Console.error("stopped before the marking; nothing was measured")
                    return
                }
                let showsStatus = Console.showsProgress
                let marking = BreathMarking(durationInSeconds: Double(seconds)).read {
                    Console.error("""
                        Mark now, for \(seconds) s: Space when an inhale starts, Space again when the exhale \
                        starts; Enter when a pause starts (optional); q ends early.
                        """)
                } status: { secondsLeft, marks in
                    guard showsStatus else { return }
                    let inhales = marks.filter { $0.phase == .inhale }.count
                    Console.status("\(secondsLeft) s left · \(inhales) inhale\(inhales == 1 ? "" : "s") marked")
                }
                if showsStatus { Console.status("") }
                switch marking.ending {
                case let .interrupted(signal):
                    throw ExitCode(signal == 15 ? 143 : 130)
                case .timeUp:
                    _ = try speak(Self.ending, library: library, voice: voice, device: choice)
                case .quit:
                    break
                }

                let calibration: BreathCalibration
                do throws(BreathCalibration.Problem) {
                    calibration = try BreathCalibration(marks: marking.marks)
                } catch {
                    throw Failure(problems: ["\(error)"], code: .dataError,
                                  conclusion: "Nothing was saved. Try again, one Space as each inhale starts and one as each exhale starts.")
                }
                Console.error(Self.words(calibration))
                if save {
                    let path = Library.settingsPath
                    let folder = (path as NSString).deletingLastPathComponent
                    do {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    } catch {
                        throw Failure(message: "cannot create \(folder): \(error.localizedDescription)", code: .cannotCreate)
                    }
                    try OutputFile.writeAtomically(Data(try Self.savedText(calibration.suggestedPattern).utf8), to: path)
                    Console.error("Saved breath: \(calibration.suggestedPattern) in \(path).")
                }
                if json { Console.output(Self.json(calibration, saved: save) + "\n") }
            }
        }

        // MARK: - Spoken guidance

        /// What is said before the marking, in order.
        static let guidance = ["calibrate.intro", "calibrate.keys", "calibrate.pause", "calibrate.start"]
        /// What is said after it.
        static let ending = ["calibrate.end"]

        /// Speaks `cues` through ALSA, as `play` plays (keys and `psoas ctl` work while it speaks).
        /// - Returns: `false` when it was stopped (q, `psoas ctl stop`).
        private func speak(_ cues: [String], library: Library, voice: String, device: DeviceChoice) throws -> Bool {
            let breath = BreathPattern(inhale: Tenths(seconds: 4), exhale: Tenths(seconds: 6))
            let steps = cues.enumerated().map { index, id in
                Step(kind: .say, id: id, title: "Atem kennenlernen", side: nil, breath: breath,
                     body: .say(CueUse(id: id, location: .start), after: index == cues.count - 1 ? Tenths(5) : Tenths(10)),
                     location: .start)
            }
            let session = Session(id: "calibrate", title: "Atem kennenlernen", breath: breath, parameters: [], steps: steps)
            let planned = try PlannedSession.prepare(session, given: "breathe calibrate", library: library, voice: voice,
                                                     options: PlanOptions(ambience: .off))
            let run: PlaybackRun
            do throws(PlaybackRun.Failure) {
                run = try PlaybackRun(
                    timeline: planned.timeline, pack: planned.pack, ambience: planned.ambience,
                    configuration: PlaybackRun.Configuration(device: device.name, showsStatus: Terminal.standardErrorIsTerminal,
                                                             mpris: false),
                    output: PlaybackSession.Output(status: { Console.status($0) }, event: nil,
                                                   message: { Console.error($0) }))
            } catch {
                guard case let .device(problem) = error else {
                    throw PlaybackOptions.failure(error, device: device, session: "calibrate")
                }
                throw Failure(message: """
                    cannot speak the guidance on ALSA device \(device.described): \(problem.message)
                    List the devices with 'psoas devices' and choose one with --device.
                    """, code: .unavailable)
            }
            let report = run.run()
            switch report.outcome {
            case .completed: return true
            case .stopped: return false
            case let .interrupted(signal): throw ExitCode(signal == 15 ? 143 : 130)
            case let .deviceFailed(message): throw Failure(message: "audio device failed: \(message)", code: .unavailable)
            }
        }

        // MARK: - Result

        /// The settings file's text with `breath:` set to `pattern`.
        /// - Throws: ``DiagnosticList`` (65) when the file has problems or its `breath:` cannot be edited alone.
        static func savedText(_ pattern: BreathPattern) throws -> String {
            let path = Library.settingsPath
            guard let bytes = FileBytes.read(path: path) else {
                if FileBytes.exists(path: path) { throw Failure.data("cannot read \(path)") }
                return "breath: \(pattern)\n"
            }
            return try Settings.settingBreath(pattern, in: SourceFile(path: path, bytes: bytes))
        }

        /// The result in words, for a person.
        static func words(_ calibration: BreathCalibration) -> String {
            let natural = calibration.naturalPattern
            var phases = "in \(natural.inhale) s"
            if natural.holdIn != .zero { phases += ", pause \(natural.holdIn) s" }
            phases += ", out \(natural.exhale) s"
            if natural.holdOut != .zero { phases += ", pause \(natural.holdOut) s" }
            let suggested = calibration.suggestedPattern
            let suggestedRate: Double = 60 / suggested.cycleLength.seconds
            return """
                Your breath (\(calibration.breathCount) breaths): \(phases), \
                \(tenths(calibration.breathsPerMinute)) breaths a minute (pattern \(natural)).
                It varied by \(Int((calibration.variation * 100).rounded())) % \
                (± \(tenths(calibration.cycleDeviation)) s a breath).
                Suggested pacing: \(suggested), \(tenths(suggestedRate)) breaths a minute, \
                \(calibration.cycleSeconds < BreathCalibration.targetCycleSeconds ? "a little slower than yours" : "as slow as yours, which needs no slowing"). \
                Try it: psoas breathe \(suggested)
                """
        }

        /// The result as one JSON object.
        static func json(_ calibration: BreathCalibration, saved: Bool) -> String {
            func phases(_ values: BreathCalibration.Phases) -> String {
                var object = JSONObject()
                object.add("inhale", values.inhale, decimals: 1)
                object.add("holdIn", values.holdIn, decimals: 1)
                object.add("exhale", values.exhale, decimals: 1)
                object.add("holdOut", values.holdOut, decimals: 1)
                return object.text
            }
            var natural = JSONObject()
            natural.add("pattern", "\(calibration.naturalPattern)")
            natural.addRaw("mean", phases(calibration.mean))
            natural.addRaw("deviation", phases(calibration.deviation))
            natural.add("cycleSeconds", calibration.cycleSeconds, decimals: 1)
            natural.add("cycleDeviation", calibration.cycleDeviation, decimals: 1)
            natural.add("variation", calibration.variation, decimals: 2)
            natural.add("breathsPerMinute", calibration.breathsPerMinute, decimals: 1)
            let pattern = calibration.suggestedPattern
            var suggested = JSONObject()
            suggested.add("pattern", "\(pattern)")
            suggested.add("cycleSeconds", pattern.cycleLength.seconds, decimals: 1)
            suggested.add("breathsPerMinute", 60 / pattern.cycleLength.seconds, decimals: 1)
            var object = JSONObject()
            object.add("breaths", calibration.breathCount)
            object.addRaw("natural", natural.text)
            object.addRaw("suggested", suggested.text)
            object.add("saved", saved)
            return object.text
        }

        private static func tenths(_ value: Double) -> String { JSONObject.number(value, decimals: 1) }
    }
}
