import FerryProto

extension FerryV1.Job {
    /// How often to send heartbeats, as the server asked (at least 10 ms).
    var pingInterval: Duration { .microseconds(max(pingIntervalMicros, 10_000)) }

    /// How long the worker keeps trying to reach an absent server for this job: past
    /// `stale_after` (at least 1 s) the server has failed the job anyway.
    var patience: Duration { .microseconds(max(staleAfterMicros, 1_000_000)) }
}
