import AudioIO
import Foundation
import JSONText
import Planning
import SystemIO

/// Turns changes of the engine's counters into JSON event lines.
struct EventWatcher {
    let engine: PlaybackEngine
    let thread: PlaybackThread
    var step = -1
    var last: PlaybackEngine.Snapshot?
    var xruns = 0
    var device = PlaybackThread.Condition(stalledSeconds: nil, lostSeconds: nil, stalls: 0, lastStallSeconds: 0,
                                          losses: 0, returns: 0)
    var ended = false

    init(thread: PlaybackThread) {
        self.engine = thread.engine
        self.thread = thread
    }

    mutating func newEvents() -> [String] {
        let now = engine.snapshot
        let timeline = engine.timeline
        var lines: [String] = []
        func event(_ name: String, _ extra: (inout JSONObject) -> Void = { _ in }) {
            var object = JSONObject()
            object.add("event", name)
            object.add("position", Double(now.position) / Double(timeline.sampleRate), decimals: 3)
            extra(&object)
            lines.append(object.text)
        }
        let previous = last ?? .beforeStart
        if now.step != step, now.mode != .finished, timeline.steps.indices.contains(now.step) {
            step = now.step
            let info = timeline.steps[now.step]
            event("step") {
                $0.add("index", now.step)
                $0.add("id", info.id)
                $0.add("title", info.title)
            }
        }
        for _ in previous.pauses..<max(previous.pauses, now.pauses) { event("paused") }
        for _ in previous.resumes..<max(previous.resumes, now.resumes) { event("resumed") }
        for _ in previous.skips..<max(previous.skips, now.skips) { event("skipped") }
        for _ in previous.extends..<max(previous.extends, now.extends) { event("extended") }
        for _ in previous.safetyStops..<max(previous.safetyStops, now.safetyStops) { event("safety") }
        for _ in previous.waitsStarted..<max(previous.waitsStarted, now.waitsStarted) { event("waiting") }
        if now.adaptations > previous.adaptations, let adaptation = now.lastAdaptation {
            // A change of the pacing for the breath (`--follow-breath`): where, what, how much.
            var object = JSONObject()
            object.add("event", "adapted")
            object.add("position", Double(adaptation.position) / Double(timeline.sampleRate), decimals: 3)
            object.add("how", adaptation.kind.name)
            object.add("seconds", Double(adaptation.frames) / Double(timeline.sampleRate), decimals: 3)
            lines.append(object.text)
        }
        let xrunCount = thread.output.xrunCount
        for _ in xruns..<max(xruns, xrunCount) { event("xrun") }
        xruns = max(xruns, xrunCount)
        let condition = thread.condition
        for _ in device.losses..<max(device.losses, condition.losses) { event("device-lost") }
        for _ in device.returns..<max(device.returns, condition.returns) { event("device-back") }
        if condition.stalls > device.stalls {
            event("stall") { $0.add("seconds", condition.lastStallSeconds, decimals: 1) }
        }
        device = condition
        if now.mode == .finished, !ended {
            ended = true
            event(now.completed ? "finished" : "stopped") {
                $0.add("played", Double(now.playedFrames) / Double(timeline.sampleRate), decimals: 3)
            }
        }
        last = now
        return lines
    }
}
