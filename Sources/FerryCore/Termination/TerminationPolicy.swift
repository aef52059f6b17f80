/// The timing settings of termination detection (docs/CONTRACT.md §3.1): `ping_interval`, `stale_after` and
/// `queued_timeout`.
///
/// Both timeouts are strict: a sync is stale only when *more* than ``staleAfter`` has passed since
/// its last ping — exactly `staleAfter` is still alive, one microsecond more is not — and likewise
/// for ``queuedTimeout``.
public struct TerminationPolicy: Sendable, Hashable {
    /// How often workers send heartbeats (default 10 s, the reference's
    /// `STORAGE_IN_PROGRESS_TIMER`); also the coalescing window for persisted pings.
    public var pingInterval: FerryDuration
    /// How long an `inProgress` sync may go without a heartbeat (default 5 × ``pingInterval``).
    public var staleAfter: FerryDuration
    /// How long a `queued` sync may wait for a worker (default 1 h).
    public var queuedTimeout: FerryDuration

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - pingInterval: The heartbeat interval (default 10 s).
    ///   - staleAfter: The heartbeat timeout; `nil` for 5 × `pingInterval`.
    ///   - queuedTimeout: The queue timeout (default 1 h).
    public init(
        pingInterval: FerryDuration = .seconds(10),
        staleAfter: FerryDuration? = nil,
        queuedTimeout: FerryDuration = .hours(1)
    ) {
        self.pingInterval = pingInterval
        self.staleAfter = staleAfter ?? pingInterval * 5
        self.queuedTimeout = queuedTimeout
    }

    /// The defaults: ping every 10 s, stale after 50 s, queue timeout 1 h.
    public static let `default` = TerminationPolicy()

    /// Checks the settings make sense; ferryd refuses to start otherwise.
    ///
    /// - Returns: One error per bad setting (fields `ping_interval`, `stale_after`,
    ///   `queued_timeout`); empty when the policy is usable.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if self.pingInterval <= .zero {
            errors.append(FieldError(field: "ping_interval", code: .outOfRange, message: "must be positive"))
        }
        if self.staleAfter <= self.pingInterval {
            errors.append(
                FieldError(
                    field: "stale_after",
                    code: .outOfRange,
                    message: "must be longer than ping_interval (\(self.pingInterval)), or healthy syncs look dead"
                )
            )
        }
        if self.queuedTimeout <= .zero {
            errors.append(FieldError(field: "queued_timeout", code: .outOfRange, message: "must be positive"))
        }
        return errors
    }

    /// Whether a sync whose last ping was at `lastPing` is stale at `now`: strictly more than
    /// ``staleAfter`` has passed.
    ///
    /// - Parameters:
    ///   - lastPing: The last heartbeat, on the server's clock.
    ///   - now: The current time.
    /// - Returns: `true` once `now − lastPing > staleAfter`.
    public func heartbeatIsStale(lastPing: FerryTime, now: FerryTime) -> Bool {
        now - lastPing > self.staleAfter
    }

    /// Whether a sync queued at `queuedAt` has waited too long at `now`: strictly more than
    /// ``queuedTimeout`` has passed.
    ///
    /// - Parameters:
    ///   - queuedAt: When the sync was queued.
    ///   - now: The current time.
    /// - Returns: `true` once `now − queuedAt > queuedTimeout`.
    public func queueHasTimedOut(queuedAt: FerryTime, now: FerryTime) -> Bool {
        now - queuedAt > self.queuedTimeout
    }

    /// When a lease whose last heartbeat was at `lastPing` expires, consistent with
    /// ``heartbeatIsStale(lastPing:now:)``: the lease is expired once `now > leaseExpiry(...)`.
    ///
    /// - Parameter lastPing: The last heartbeat (or the claim), on the server's clock.
    /// - Returns: `lastPing + staleAfter`.
    public func leaseExpiry(lastPing: FerryTime) -> FerryTime {
        lastPing + self.staleAfter
    }

    /// Whether a heartbeat at `now` should be written to the store, given the last one written:
    /// at most one persisted ping per job per ``pingInterval`` (docs/CONTRACT.md §3.2). Terminal outcomes are
    /// always written; this is for progress pings only.
    ///
    /// - Parameters:
    ///   - lastPersisted: When a ping for this job was last written, if ever.
    ///   - now: The current time.
    /// - Returns: `true` if nothing was written yet or at least `pingInterval` has passed.
    public func shouldPersistPing(lastPersisted: FerryTime?, now: FerryTime) -> Bool {
        guard let lastPersisted else { return true }
        return now - lastPersisted >= self.pingInterval
    }
}
