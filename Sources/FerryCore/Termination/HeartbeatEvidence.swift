/// What a server process knows about a job's heartbeats beyond the stored `time_last_ping`.
///
/// The server persists at most one ping per job per ping interval, so the stored time can trail
/// the last heartbeat it acknowledged by up to one interval. Termination detection must measure
/// silence from the last acknowledged heartbeat, never from the stored one alone:
///
/// - `lastReceived` is the newest heartbeat this process received for the job, persisted or not.
/// - `serverStartedAt` covers what this process cannot know: a previous process (killed before it
///   wrote its newest ping) may have acknowledged a heartbeat later than the stored one, but no
///   later than its own end, which came before this process started. So a stored ping older than
///   this process's start counts as no older than the start, until this process hears from the
///   job itself.
public struct HeartbeatEvidence: Sendable, Hashable {
    /// The newest heartbeat this server process received for the job, if any.
    public var lastReceived: FerryTime?
    /// When this server process started, if detection should allow for a previous process.
    public var serverStartedAt: FerryTime?

    /// Creates the evidence.
    ///
    /// - Parameters:
    ///   - lastReceived: The newest heartbeat this process received for the job.
    ///   - serverStartedAt: When this process started.
    public init(lastReceived: FerryTime? = nil, serverStartedAt: FerryTime? = nil) {
        self.lastReceived = lastReceived
        self.serverStartedAt = serverStartedAt
    }

    /// The newest heartbeat known, stored or received.
    ///
    /// - Parameter stored: The stored last sign of life.
    /// - Returns: The later of the two, or whichever exists.
    public func lastHeartbeat(stored: FerryTime?) -> FerryTime? {
        [stored, self.lastReceived].compactMap { $0 }.max()
    }

    /// The instant silence is measured from: the newest heartbeat known, or this process's start
    /// when the newest known predates it and this process has heard nothing from the job.
    ///
    /// - Parameter stored: The stored last sign of life.
    /// - Returns: The reference instant, or `nil` when nothing is known at all.
    public func silenceStart(stored: FerryTime?) -> FerryTime? {
        let known = self.lastHeartbeat(stored: stored)
        guard self.lastReceived == nil, let started = self.serverStartedAt else { return known }
        guard let known else { return started }
        return max(known, started)
    }
}
