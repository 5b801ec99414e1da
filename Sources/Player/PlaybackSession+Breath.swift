import BreathSensing
import JSONText

/// `--follow-breath`: the breath events, the one notice about the microphone, and the pacing
/// changes asked for (``PacingAdapter``; the engine makes them, see `PlaybackEngine+Adaptation.swift`).
extension PlaybackSession {
    /// Writes a `breath` event for each phase change the follower found, says its notice, and
    /// asks the engine to stretch or shorten the pacing when the person lags or leads.
    func serveBreath() {
        guard let follower else { return }
        if let text = follower.takeNotice() { say(text) }
        let snapshot = engine.snapshot
        if snapshot.adaptations > adaptationsSeen, let last = snapshot.lastAdaptation {
            adaptationsSeen = snapshot.adaptations
            pacing.engineMade(last)
        }
        let detections = follower.takeDetections()
        for detection in detections {
            guard follower.isUsable, let lag = detection.lag, let asked = pacing.heard(lag: lag, at: detection.position) else { continue }
            engine.send(.adapt(frames: asked))
        }
        guard let event = output.event else { return }
        let rate = Double(engine.timeline.sampleRate)
        for detection in detections {
            var object = JSONObject()
            object.add("event", "breath")
            object.add("position", Double(detection.position) / rate, decimals: 3)
            object.add("phase", detection.phase.rawValue)
            if let lag = detection.lag { object.add("lag", Double(lag) / rate, decimals: 3) }
            event(object.text)
        }
    }
}
