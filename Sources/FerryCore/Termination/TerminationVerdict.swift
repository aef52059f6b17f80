/// The decision that a queued or running sync has ended without saying so, and how to record it.
///
/// Apply it with ``SyncStatusMachine/terminate(_:now:)`` and persist it once, with a
/// compare-and-set on the storage's status and ``jobID``.
public struct TerminationVerdict: Sendable, Hashable {
    /// The status to record; always ``SyncStatus/failed``.
    public var newStatus: SyncStatus
    /// The rule that decided, after precedence.
    public var reason: TerminationReason
    /// A readable account of what was seen and what usually causes it.
    public var traceback: String
    /// The job the verdict is about (the storage's `lastSyncJob` at detection).
    public var jobID: String?
    /// Every rule that matched, in precedence order; `reason` is the first. For logs and metrics.
    public var matchedReasons: [TerminationReason]

    /// Creates a verdict.
    ///
    /// - Parameters:
    ///   - newStatus: The status to record.
    ///   - reason: The deciding rule.
    ///   - traceback: The readable account.
    ///   - jobID: The job the verdict is about.
    ///   - matchedReasons: Every matching rule, in precedence order.
    public init(
        newStatus: SyncStatus = .failed,
        reason: TerminationReason,
        traceback: String,
        jobID: String?,
        matchedReasons: [TerminationReason]? = nil
    ) {
        self.newStatus = newStatus
        self.reason = reason
        self.traceback = traceback
        self.jobID = jobID
        self.matchedReasons = matchedReasons ?? [reason]
    }
}

extension TerminationVerdict {
    /// The verdict with one more fact in its traceback, placed after the other facts under the
    /// headline (`  label:       text`), for what the server knows beyond the sync's own record (why a
    /// queued job was never claimed, for instance).
    ///
    /// - Parameters:
    ///   - label: The fact's name, e.g. `waiting`.
    ///   - text: The fact.
    /// - Returns: The verdict with the fact added.
    public func noting(_ label: String, _ text: String) -> TerminationVerdict {
        var lines = traceback.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let name = label + ":"
        let fact = "  " + name + String(repeating: " ", count: max(1, 14 - name.count)) + text
        let causes = lines.firstIndex { $0.hasPrefix("Usual causes:") } ?? lines.count
        lines.insert(fact, at: max(min(1, lines.count), causes))
        var noted = self
        noted.traceback = lines.joined(separator: "\n")
        return noted
    }
}
