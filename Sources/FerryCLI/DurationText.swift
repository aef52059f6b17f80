/// Spans of time (the API's `*_micros` durations) for people: `800µs`, `250ms`, `12.5s`,
/// `3m20s`, `2h5m`, `3d4h`.
public enum DurationText {
    /// The span `micros` long, to the precision its size calls for.
    public static func format(micros: Int64) -> String {
        let seconds = micros / 1_000_000
        switch micros {
        case ..<1_000: return "\(micros)µs"
        case ..<1_000_000: return "\(micros / 1_000)ms"
        case ..<60_000_000: return "\(seconds).\(micros / 100_000 % 10)s"
        case ..<3_600_000_000: return "\(seconds / 60)m\(seconds % 60)s"
        case ..<86_400_000_000: return "\(seconds / 3_600)h\(seconds / 60 % 60)m"
        default: return "\(seconds / 86_400)d\(seconds / 3_600 % 24)h"
        }
    }
}
