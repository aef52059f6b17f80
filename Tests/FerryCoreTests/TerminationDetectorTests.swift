import Testing

@testable import FerryCore

@Suite("TerminationDetector")
struct TerminationDetectorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var info: SyncInfo
        var job: JobObservation
        /// How long after `Fixture.t0` the detector runs.
        var after: FerryDuration
        var expected: TerminationReason?
        var matched: [TerminationReason]? = nil

        var testDescription: String { self.name }
    }

    static let stale = FerryDuration.seconds(50)
    static let hour = FerryDuration.hours(1)
    static let tick = FerryDuration.microseconds(1)

    static func cancelled(_ info: SyncInfo, at offset: FerryDuration = .seconds(1)) -> SyncInfo {
        try! SyncStatusMachine(info).requestCancel(now: Fixture.t0 + offset)
    }

    static let rules: [Case] = [
        // Heartbeat timeout, strict boundary.
        Case(
            name: "in progress, fresh ping",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(),
            after: .seconds(10)
        ),
        Case(
            name: "stale_after exactly is not stale",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(),
            after: stale
        ),
        Case(
            name: "stale_after + 1 µs is stale",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(),
            after: stale + tick,
            expected: .heartbeatTimeout
        ),
        Case(
            name: "in progress without any timestamp counts as stale",
            info: SyncInfo(status: .inProgress, lastSyncJob: "job-1"),
            job: Fixture.runningJob(),
            after: .zero,
            expected: .heartbeatTimeout
        ),
        // Queue timeout, strict boundary.
        Case(name: "queued, young", info: Fixture.queued(), job: Fixture.queuedJob(), after: .minutes(59)),
        Case(
            name: "queued_timeout exactly is not timed out",
            info: Fixture.queued(),
            job: Fixture.queuedJob(),
            after: hour
        ),
        Case(
            name: "queued_timeout + 1 µs is timed out",
            info: Fixture.queued(),
            job: Fixture.queuedJob(),
            after: hour + tick,
            expected: .queueTimeout
        ),
        Case(
            name: "queued is never stale, however long",
            info: Fixture.queued(),
            job: Fixture.queuedJob(),
            after: .minutes(30)
        ),
        // Job missing.
        Case(
            name: "in progress, job missing",
            info: Fixture.inProgress(),
            job: .missing,
            after: .seconds(1),
            expected: .jobMissing
        ),
        Case(
            name: "queued, job missing",
            info: Fixture.queued(),
            job: .missing,
            after: .seconds(1),
            expected: .jobMissing
        ),
        Case(
            name: "the queue holds another job",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(id: "job-0"),
            after: .seconds(1),
            expected: .jobMissing
        ),
        // Job failed.
        Case(
            name: "job recorded failed",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(state: .failed),
            after: .seconds(1),
            expected: .jobFailed
        ),
        Case(
            name: "job recorded lost",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(state: .lost),
            after: .seconds(1),
            expected: .jobFailed
        ),
        Case(
            name: "holder instance replaced",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(current: false),
            after: .seconds(1),
            expected: .jobFailed
        ),
        Case(
            name: "queued, job recorded failed",
            info: Fixture.queued(),
            job: Fixture.queuedJob(state: .failed),
            after: .seconds(1),
            expected: .jobFailed
        ),
        // Cancelled.
        Case(
            name: "cancel confirmed by the worker",
            info: cancelled(Fixture.inProgress()),
            job: Fixture.runningJob(state: .cancelled),
            after: .seconds(2),
            expected: .cancelled
        ),
        Case(
            name: "cancel requested, worker alive, waiting",
            info: cancelled(Fixture.inProgress()),
            job: Fixture.runningJob(state: .cancelRequested, expiresAt: Fixture.t0 + .seconds(30)),
            after: .seconds(2)
        ),
        Case(
            name: "cancel requested, lease expires exactly now",
            info: cancelled(Fixture.inProgress()),
            job: Fixture.runningJob(state: .cancelRequested, expiresAt: Fixture.t0 + .seconds(30)),
            after: .seconds(30)
        ),
        Case(
            name: "cancel requested, lease expired",
            info: cancelled(Fixture.inProgress()),
            job: Fixture.runningJob(state: .cancelRequested, expiresAt: Fixture.t0 + .seconds(30)),
            after: .seconds(30) + tick,
            expected: .cancelled
        ),
        Case(
            name: "cancel known only to the queue, lease expired",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(
                state: .cancelRequested,
                expiresAt: Fixture.t0 + .seconds(30),
                cancelRequestedAt: Fixture.t0 + .seconds(5)
            ),
            after: .seconds(31),
            expected: .cancelled
        ),
        Case(
            name: "cancel of a job nobody claimed",
            info: cancelled(Fixture.queued()),
            job: Fixture.queuedJob(state: .cancelRequested),
            after: .seconds(2),
            expected: .cancelled
        ),
        Case(
            name: "running job without a cancel request is left alone",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(expiresAt: Fixture.t0 + .seconds(60)),
            after: .seconds(20)
        ),
    ]

    @Test("Each rule, with its boundaries", arguments: rules)
    func rule(_ c: Case) {
        let clock = ManualClock(Fixture.t0)
        clock.advance(by: c.after)
        let verdict = TerminationDetector().evaluate(c.info, job: c.job, clock: clock)
        #expect(verdict?.reason == c.expected)
        if let verdict {
            #expect(verdict.newStatus == .failed)
            #expect(verdict.jobID == "job-1")
            #expect(!verdict.traceback.isEmpty)
        }
    }

    static let precedenceCases: [Case] = [
        Case(
            name: "job missing beats heartbeat timeout",
            info: Fixture.inProgress(),
            job: .missing,
            after: stale + tick,
            expected: .jobMissing,
            matched: [.jobMissing, .heartbeatTimeout]
        ),
        Case(
            name: "job failed beats heartbeat timeout",
            info: Fixture.inProgress(),
            job: Fixture.runningJob(current: false),
            after: stale + tick,
            expected: .jobFailed,
            matched: [.jobFailed, .heartbeatTimeout]
        ),
        Case(
            name: "job missing beats queue timeout",
            info: Fixture.queued(),
            job: .missing,
            after: hour + tick,
            expected: .jobMissing,
            matched: [.jobMissing, .queueTimeout]
        ),
        Case(
            name: "job failed beats queue timeout",
            info: Fixture.queued(),
            job: Fixture.queuedJob(state: .lost),
            after: hour + tick,
            expected: .jobFailed,
            matched: [.jobFailed, .queueTimeout]
        ),
        Case(
            name: "cancelled beats job missing and heartbeat timeout",
            info: cancelled(Fixture.inProgress()),
            job: .missing,
            after: stale + tick,
            expected: .cancelled,
            matched: [.cancelled, .jobMissing, .heartbeatTimeout]
        ),
        Case(
            name: "cancelled beats job failed",
            info: cancelled(Fixture.inProgress()),
            job: Fixture.runningJob(state: .cancelRequested, current: false),
            after: .seconds(2),
            expected: .cancelled,
            matched: [.cancelled, .jobFailed]
        ),
        Case(
            name: "a stale heartbeat after a cancel request counts as the lease expiring",
            info: cancelled(Fixture.inProgress()),
            job: Fixture.runningJob(state: .cancelRequested),
            after: stale + tick,
            expected: .cancelled,
            matched: [.cancelled, .heartbeatTimeout]
        ),
        Case(
            name: "cancelled beats queue timeout",
            info: cancelled(Fixture.queued()),
            job: Fixture.queuedJob(),
            after: hour + tick,
            expected: .cancelled,
            matched: [.cancelled, .queueTimeout]
        ),
    ]

    @Test(
        "Precedence: cancelled > job missing > job failed > heartbeat timeout > queue timeout",
        arguments: precedenceCases
    )
    func precedence(_ c: Case) {
        let verdict = TerminationDetector().evaluate(c.info, job: c.job, now: Fixture.t0 + c.after)
        #expect(verdict?.reason == c.expected)
        #expect(verdict?.matchedReasons == c.matched)
    }

    static let observations: [JobObservation] = [
        .missing, Fixture.runningJob(state: .failed), Fixture.runningJob(current: false),
        Fixture.runningJob(state: .cancelled), Fixture.queuedJob(state: .lost),
    ]

    @Test(
        "Settled statuses are never judged",
        arguments: [SyncStatus.initialized, .completed, .completedWithErrors, .failed],
        observations
    )
    func settledIgnored(status: SyncStatus, job: JobObservation) {
        var info = Fixture.info(status)
        info.meta.timeCancelRequested = Fixture.t0
        #expect(TerminationDetector().evaluate(info, job: job, now: Fixture.t0 + .days(365)) == nil)
    }

    @Test("The policy's defaults and a custom ping interval move the boundary")
    func policy() {
        #expect(TerminationPolicy.default.pingInterval == .seconds(10))
        #expect(TerminationPolicy.default.staleAfter == .seconds(50))
        #expect(TerminationPolicy.default.queuedTimeout == .hours(1))
        #expect(TerminationPolicy.default.validate().isEmpty)
        let detector = TerminationDetector(policy: TerminationPolicy(pingInterval: .seconds(2)))
        let info = Fixture.inProgress()
        #expect(detector.evaluate(info, job: Fixture.runningJob(), now: Fixture.t0 + .seconds(10)) == nil)
        #expect(
            detector.evaluate(info, job: Fixture.runningJob(), now: Fixture.t0 + .seconds(10) + Self.tick)?.reason
                == .heartbeatTimeout
        )
        let bad = TerminationPolicy(pingInterval: .zero, staleAfter: .seconds(-1), queuedTimeout: .zero)
        #expect(bad.validate().map(\.field) == ["ping_interval", "stale_after", "queued_timeout"])
    }

    @Test("Lease expiry and staleness agree on the boundary")
    func leaseExpiry() {
        let policy = TerminationPolicy.default
        let expiry = policy.leaseExpiry(lastPing: Fixture.t0)
        #expect(expiry == Fixture.t0 + .seconds(50))
        #expect(!policy.heartbeatIsStale(lastPing: Fixture.t0, now: expiry))
        #expect(policy.heartbeatIsStale(lastPing: Fixture.t0, now: expiry + Self.tick))
    }

    @Test("Ping coalescing writes at most one ping per interval")
    func coalescing() {
        let policy = TerminationPolicy.default
        #expect(policy.shouldPersistPing(lastPersisted: nil, now: Fixture.t0))
        #expect(!policy.shouldPersistPing(lastPersisted: Fixture.t0, now: Fixture.t0 + .seconds(10) - Self.tick))
        #expect(policy.shouldPersistPing(lastPersisted: Fixture.t0, now: Fixture.t0 + .seconds(10)))
    }

    @Test("A heartbeat-timeout traceback says what was seen and what usually causes it")
    func heartbeatTraceback() throws {
        let info = try SyncStatusMachine(Fixture.inProgress())
            .recordProgress(jobID: "job-1", counters: .zero, now: Fixture.t0 + .seconds(4))
        let verdict = try #require(
            TerminationDetector().evaluate(info, job: Fixture.runningJob(), now: Fixture.t0 + .seconds(65))
        )
        let text = verdict.traceback
        #expect(text.hasPrefix("Sync failed (HEARTBEAT_TIMEOUT): no heartbeat from worker worker-a for 61 s"))
        #expect(text.contains("job:          job-1 (queue state: running)"))
        #expect(text.contains("worker:       worker-a (instance inst-1, current instance)"))
        #expect(text.contains("last ping:    2024-05-01T12:00:04Z (61 s ago; stale after 50 s)"))
        #expect(text.contains("checked at:   2024-05-01T12:01:05Z"))
        for cause in ["out-of-memory", "kill -9", "redeploy", "network"] {
            #expect(text.contains(cause), "missing cause \(cause)")
        }
    }

    @Test("A traceback shows a boundary age exactly")
    func boundaryAge() throws {
        let verdict = try #require(
            TerminationDetector().evaluate(
                Fixture.inProgress(),
                job: Fixture.runningJob(),
                now: Fixture.t0 + Self.stale + Self.tick
            )
        )
        #expect(verdict.traceback.contains("for 50.000001 s, more than stale_after (50 s)"))
    }

    @Test(
        "Every reason's traceback names the job and the usual causes",
        arguments: [
            (Fixture.inProgress(), JobObservation.missing, TerminationReason.jobMissing, "purged"),
            (Fixture.inProgress(), Fixture.runningJob(current: false), .jobFailed, "new process"),
            (Fixture.inProgress(), Fixture.runningJob(state: .lost), .jobFailed, "recorded as lost"),
            (Fixture.queued(), Fixture.queuedJob(), .queueTimeout, "no worker is running"),
            (cancelled(Fixture.inProgress()), Fixture.runningJob(state: .cancelled), .cancelled, "confirmed"),
            (cancelled(Fixture.queued()), Fixture.queuedJob(), .cancelled, "never claimed"),
        ]
    )
    func tracebacks(info: SyncInfo, job: JobObservation, reason: TerminationReason, phrase: String) throws {
        let verdict = try #require(TerminationDetector().evaluate(info, job: job, now: Fixture.t0 + .hours(2)))
        #expect(verdict.reason == reason)
        #expect(verdict.traceback.contains("(\(reason.wireName))"))
        #expect(verdict.traceback.contains("job-1"))
        #expect(verdict.traceback.contains("Usual causes: "))
        #expect(verdict.traceback.contains(phrase), "\(verdict.traceback)")
    }

    @Test("A job-failed traceback names the worker and the instance that is gone")
    func jobFailedTraceback() throws {
        let verdict = try #require(
            TerminationDetector().evaluate(
                Fixture.inProgress(),
                job: Fixture.runningJob(current: false),
                now: Fixture.t0
            )
        )
        #expect(verdict.traceback.contains("worker worker-a came back as a new process; instance inst-1"))
        #expect(verdict.traceback.contains("no longer its current instance"))
    }

    @Test("A verdict applied through the machine settles the storage once")
    func applyVerdict() throws {
        let now = Fixture.t0 + Self.stale + Self.tick
        let info = Fixture.inProgress()
        let verdict = try #require(TerminationDetector().evaluate(info, job: Fixture.runningJob(), now: now))
        let failed = try SyncStatusMachine(info).terminate(verdict, now: now)
        #expect(failed.status == .failed)
        #expect(failed.meta.terminationReason == .heartbeatTimeout)
        #expect(failed.traceback == verdict.traceback)
        #expect(TerminationDetector().evaluate(failed, job: Fixture.runningJob(), now: now) == nil)
        // A verdict computed before a new sync started cannot fail the new one.
        let restarted = try SyncStatusMachine(failed).startSync(jobID: "job-2", now: now)
        #expect(throws: TransitionError.self) { try SyncStatusMachine(restarted).terminate(verdict, now: now) }
    }
}

@Suite struct TerminationVerdictNotingTests {
    @Test func aNotedFactGoesAfterTheOtherFactsAndBeforeTheCauses() {
        let verdict = TerminationVerdict(
            reason: .queueTimeout, traceback: "Sync failed (QUEUE_TIMEOUT): waited.\n  job:          j1\nUsual causes: none.",
            jobID: "j1")
        let noted = verdict.noting("waiting", "no connected worker offers s3 import")
        #expect(
            noted.traceback
                == "Sync failed (QUEUE_TIMEOUT): waited.\n  job:          j1\n"
                + "  waiting:      no connected worker offers s3 import\nUsual causes: none.")
        #expect(noted.reason == verdict.reason && noted.jobID == verdict.jobID)
    }
}
