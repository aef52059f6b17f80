extension Findings {
    /// The verdict's traceback: a headline, what was seen, and what usually causes it.
    ///
    /// Deterministic for given inputs (tests compare it), plain text, one fact per line.
    func traceback(for reason: TerminationReason) -> String {
        var lines = [self.headline(for: reason)]
        lines += self.seen.map { "  " + $0 }
        lines.append("Usual causes: " + Self.causes(for: reason, findings: self))
        return lines.joined(separator: "\n")
    }

    // MARK: - Headline

    private func headline(for reason: TerminationReason) -> String {
        let job = self.info.lastSyncJob ?? "(unknown)"
        let worker = self.workerID ?? "(unknown)"
        switch reason {
        case .heartbeatTimeout:
            let age = self.lastHeartbeat.map { "for \(self.age(since: $0))" } ?? "ever"
            return "Sync failed (HEARTBEAT_TIMEOUT): no heartbeat from worker \(worker) \(age), "
                + "more than stale_after (\(self.policy.staleAfter))."
        case .jobMissing:
            if let foreign = self.foreignJobID {
                return "Sync failed (JOB_MISSING): job \(job) is no longer in the queue "
                    + "(the queue holds job \(foreign) for this storage instead)."
            }
            return "Sync failed (JOB_MISSING): job \(job) is no longer in the queue."
        case .jobFailed:
            if let lease = self.job?.lease, !lease.holderIsCurrentInstance {
                return "Sync failed (JOB_FAILED): worker \(lease.workerID) came back as a new process; "
                    + "instance \(lease.instanceID), which held job \(job), is gone."
            }
            let state = self.job?.state.rawValue ?? "failed"
            return "Sync failed (JOB_FAILED): job \(job) is recorded as \(state) in the queue, "
                + "but the storage was never updated."
        case .queueTimeout:
            let waited = self.info.meta.timeQueued.map { "for \(self.age(since: $0))" } ?? "for an unknown time"
            return "Sync failed (QUEUE_TIMEOUT): job \(job) waited in the queue \(waited), "
                + "more than queued_timeout (\(self.policy.queuedTimeout)), and no worker claimed it."
        case .cancelled:
            return "Sync cancelled (CANCELLED): " + self.cancelEnding + "."
        }
    }

    /// How a cancelled job ended, most direct evidence first.
    private var cancelEnding: String {
        let job = self.info.lastSyncJob ?? "(unknown)"
        if self.cancelConfirmed {
            return "worker \(self.workerID ?? "(unknown)") confirmed it stopped job \(job)"
        }
        if self.jobMissing {
            return "job \(job) is no longer in the queue"
        }
        if self.neverClaimed {
            return "job \(job) was never claimed by a worker, so it was dropped from the queue"
        }
        if self.jobFailed {
            return "the worker process holding job \(job) is gone, so no confirmation will come"
        }
        if self.leaseExpired, let expiry = self.job?.lease?.expiresAt {
            return "the lease on job \(job) expired at \(expiry.iso8601) without a confirmation"
        }
        return "the worker stopped sending heartbeats for job \(job) without confirming"
    }

    // MARK: - What was seen

    private var seen: [String] {
        var lines: [String] = []
        let jobID = self.info.lastSyncJob ?? "(none recorded)"
        if let job = self.job {
            lines.append("job:          \(jobID) (queue state: \(job.state.rawValue))")
        } else if let foreign = self.foreignJobID {
            lines.append("job:          \(jobID) (not in the queue; the queue holds \(foreign))")
        } else {
            lines.append("job:          \(jobID) (not in the queue)")
        }
        lines.append("status:       \(self.info.status) (attempt \(self.info.meta.attempts))")
        if let queued = self.info.meta.timeQueued {
            lines.append("queued at:    \(queued.iso8601) (\(self.age(since: queued)) ago)")
        }
        lines.append("worker:       " + self.workerText)
        if self.info.status == .inProgress {
            if let claimed = self.info.meta.timeInProgress {
                lines.append("claimed at:   \(claimed.iso8601) (\(self.age(since: claimed)) ago)")
            }
            if let ping = self.info.meta.timeLastPing.flatMap({ _ in self.lastHeartbeat }) {
                lines.append(
                    "last ping:    \(ping.iso8601) (\(self.age(since: ping)) ago; stale after \(self.policy.staleAfter))"
                )
            } else {
                lines.append("last ping:    none recorded")
            }
            if let restarted = self.restartedAt {
                lines.append(
                    "server start: \(restarted.iso8601) (\(self.age(since: restarted)) ago; silence counts from here, "
                        + "as the previous server process may have acknowledged a heartbeat it never wrote)"
                )
            }
        }
        if let expiry = self.job?.lease?.expiresAt {
            let state = self.now > expiry ? "expired" : "expires"
            lines.append("lease:        \(state) at \(expiry.iso8601)")
        }
        let cancelReason = self.job?.cancelReason.map { "; " + $0 } ?? ""
        if let requested = self.cancelRequestedAt {
            lines.append("cancel:       requested at \(requested.iso8601) (\(self.age(since: requested)) ago\(cancelReason))")
        } else if self.cancelRequested {
            lines.append("cancel:       requested\(cancelReason)")
        }
        lines.append("checked at:   \(self.now.iso8601)")
        return lines
    }

    private var workerID: String? {
        self.job?.lease?.workerID ?? self.info.meta.workerID
    }

    private var workerText: String {
        if let lease = self.job?.lease {
            let current = lease.holderIsCurrentInstance ? "current instance" : "no longer its current instance"
            return "\(lease.workerID) (instance \(lease.instanceID), \(current))"
        }
        if let worker = self.info.meta.workerID {
            return "\(worker) (instance \(self.info.meta.workerInstanceID ?? "unknown"))"
        }
        return "none (never claimed)"
    }

    private func age(since instant: FerryTime) -> String {
        (self.now - instant).description
    }

    // MARK: - Usual causes

    private static func causes(for reason: TerminationReason, findings: Findings) -> String {
        switch reason {
        case .heartbeatTimeout:
            return "the worker process was killed without reporting (out-of-memory kill, kill -9, a redeploy "
                + "or host restart), or it lost its network connection to the server. Check the worker's logs and "
                + "the host's kernel log (OOM killer) around the last ping, then start the sync again."
        case .jobMissing:
            return "an operator deleted or purged the job from the queue (DeleteJob), or the queue lost it "
                + "(e.g. the database was restored from an older backup). Start the sync again."
        case .jobFailed:
            return "the worker crashed or was restarted (out-of-memory kill, redeploy, kill -9) and registered "
                + "again as a new process, so the process that held the lease is gone; or the queue gave up on "
                + "the job. Check the worker's logs, then start the sync again."
        case .queueTimeout:
            return "no worker is running or connected, no connected worker can run this storage's kind and "
                + "provider (check the workers' capabilities), or every worker stayed busy. Check how many "
                + "workers are connected (ListStorages reports it), then start the sync again."
        case .cancelled:
            let asked = findings.job?.cancelReason.map { "the cancel was requested " + $0 } ?? "a user or service asked for the cancel"
            return asked + " (CancelSync). Start the sync again to run it anew."
        }
    }
}
