import BreathSensing
import JSONText

/// `--follow-breath`: the breath events and the one notice about the microphone.
extension PlaybackSession {
    /// Writes a `breath` event for each phase change the follower found, and says its notice.
    func serveBreath() {
        guard let follower else { return }
        if let text = follower.takeNotice() { say(text) }
        let detections = follower.takeDetections()
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
