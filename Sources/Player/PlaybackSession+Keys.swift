import Foundation

/// The keys, the messages they bring and the status line.
extension PlaybackSession {
    // MARK: Keys

    func handleKeys(_ bytes: [UInt8]) {
        for action in KeyMap.actions(for: bytes) {
            switch action {
            case .help: say(KeyMap.help)
            case .command(.extend):
                if pendingExtend == nil {
                    pendingExtend = (engine.snapshot.extends, Date().addingTimeInterval(Self.extendTimeout))
                }
                engine.send(.extend)
            case let .command(command): engine.send(command)
            }
        }
    }

    /// Prints a message on its own lines: the status line is cleared first and drawn again after.
    func say(_ text: String) {
        if showStatus { output.status("") }
        output.message(text)
        lastStatus = ""
    }

    /// Tells whether the cycle a `+` asked for was added, once the engine has taken it.
    func confirmExtend() {
        let snapshot = engine.snapshot
        if snapshot.step != extendsAtStepStart.step {
            extendsAtStepStart = (snapshot.step, snapshot.extends)
        }
        guard let pending = pendingExtend else { return }
        if snapshot.extends > pending.extends {
            pendingExtend = nil
            let cycles = plannedCycles(inStep: snapshot.step) + snapshot.extends - extendsAtStepStart.extends
            say("one more cycle (\(cycles) in this step)")
        } else if Date() > pending.deadline || snapshot.mode == .finished {
            pendingExtend = nil
            say("+ works in breathing steps only")
        }
    }

    /// The breath cycles a step has in the plan.
    private func plannedCycles(inStep step: Int) -> Int {
        var cycles = 0
        for event in engine.timeline.events where event.step == step {
            if case let .breath(_, cycle) = event.kind { cycles = max(cycles, cycle) }
        }
        return cycles
    }

    /// The status line cut to `columns − 1` characters, so it never wraps (the last column is
    /// left free: some terminals wrap when it is written). Unchanged when the width is unknown.
    static func fitted(_ line: String, columns: Int?) -> String {
        guard let columns, line.count > columns - 1 else { return line }
        return String(line.prefix(max(0, columns - 1)))
    }

    // MARK: Status

    func statusLine() -> String {
        let snapshot = engine.snapshot
        let timeline = engine.timeline
        let title = timeline.steps.indices.contains(snapshot.step) ? timeline.steps[snapshot.step].title : ""
        var line = "\(title)  \(timeline.lengthText(snapshot.position)) / \(timeline.lengthText(timeline.frameCount))"
        let device = thread.condition
        if device.lostSeconds != nil {
            line += "  [sound device gone: reopening it]"
        } else if let stalled = device.stalledSeconds {
            line += "  [sound server not answering for \(Int(stalled)) s]"
        } else {
            switch snapshot.mode {
            case .paused: line += "  [paused: Space resumes]"
            case .waiting: line += "  [waiting: Enter continues]"
            case .safety: line += "  [safety stop]"
            case .playing, .finished: break
            }
        }
        if snapshot.volumeDecibels != 0 { line += "  volume \(snapshot.volumeDecibels > 0 ? "+" : "")\(snapshot.volumeDecibels) dB" }
        return line
    }
}
