/// kubectl-style ages: `45s`, `12m`, `5h`, `3d`; `-` for a zero (never) timestamp.
public enum Age {
    /// The age of `micros` (Unix microseconds) at `nowMicros`.
    public static func format(unixMicros micros: Int64, nowMicros: Int64) -> String {
        guard micros > 0 else { return "-" }
        let seconds = max(0, (nowMicros - micros) / 1_000_000)
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<(120 * 60): return "\(seconds / 60)m"
        case ..<(48 * 3600): return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }
}
