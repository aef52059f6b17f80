/// A change that one server process made to a database several processes share, announced so
/// that the others wake their waiting calls and correct their caches at once.
public enum StoreChange: Sendable, Hashable {
    /// A sync was queued: waiting AcquireJob calls should look for it.
    case syncQueued
    /// A cancel was requested for a job: its worker learns it at its next heartbeat.
    case cancelRequested(jobID: String)
    /// A job was settled (its worker's outcome or a termination verdict).
    case jobEnded(jobID: String)
    /// The feed lost the database (it is down or unreachable); ``feedResumed`` follows once it
    /// is back.
    case feedLost
    /// The feed was cut off and is following again: changes in between were not seen, so
    /// whatever was cached may be stale.
    case feedResumed

    /// The announcement's wire text: `queued`, `cancel <job>` or `ended <job>`.
    var payload: String? {
        switch self {
        case .syncQueued: "queued"
        case .cancelRequested(let jobID): "cancel \(jobID)"
        case .jobEnded(let jobID): "ended \(jobID)"
        case .feedLost, .feedResumed: nil
        }
    }

    /// Reads an announcement; `nil` for text this build does not know (a newer replica's).
    init?(payload: String) {
        let parts = payload.split(separator: " ", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("queued", 1): self = .syncQueued
        case ("cancel", 2): self = .cancelRequested(jobID: parts[1])
        case ("ended", 2): self = .jobEnded(jobID: parts[1])
        default: return nil
        }
    }
}

/// A store whose changes can come from other server processes, and which can tell about them.
public protocol StoreChangeFeed: Sendable {
    /// Follows the changes every process makes, handing each to `handle`, until the task is
    /// cancelled; a lost connection is told as ``StoreChange/feedLost``, re-established, and
    /// followed by ``StoreChange/feedResumed``.
    func followChanges(_ handle: @escaping @Sendable (StoreChange) async -> Void) async
}
