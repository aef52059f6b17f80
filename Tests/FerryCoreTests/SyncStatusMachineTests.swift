import Testing

@testable import FerryCore

@Suite("SyncStatusMachine")
struct SyncStatusMachineTests {
    /// What an event should do from a status.
    enum Expected: Sendable, CustomStringConvertible {
        case moves(to: SyncStatus)
        case refused(TransitionError.Code)

        var description: String {
            switch self {
            case .moves(let status): "→ \(status)"
            case .refused(let code): "refused: \(code)"
            }
        }
    }

    /// The refusal code of an event, or `nil` if it was allowed.
    static func refusal(_ event: () throws -> SyncInfo) -> TransitionError.Code? {
        do {
            _ = try event()
            return nil
        } catch let error as TransitionError {
            return error.code
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static let t1 = Fixture.t0 + .seconds(5)

    /// Applies one named event with fixed arguments for job `job-1`.
    static func apply(_ event: String, to info: SyncInfo) throws -> SyncInfo {
        let machine = SyncStatusMachine(info)
        switch event {
        case "startSync": return try machine.startSync(jobID: "job-2", now: t1)
        case "claim": return try machine.claim(jobID: "job-1", workerID: "worker-a", now: t1)
        case "recordProgress":
            return try machine.recordProgress(jobID: "job-1", counters: SyncCounters(synced: 1), now: t1)
        case "requestCancel": return try machine.requestCancel(now: t1)
        case "complete": return try machine.complete(jobID: "job-1", outcome: .completed, now: t1)
        case "terminate":
            return try machine.terminate(
                TerminationVerdict(reason: .jobMissing, traceback: "gone", jobID: "job-1"),
                now: t1
            )
        default: fatalError("unknown event \(event)")
        }
    }

    /// (event, from) → the resulting status, or the refusal code.
    static let table: [(String, SyncStatus, Expected)] = {
        var rows: [(String, SyncStatus, Expected)] = []
        for from in SyncStatus.allCases {
            rows.append(("startSync", from, from.isActive ? .refused(.alreadyRunning) : .moves(to: .queued)))
            rows.append(("claim", from, from == .queued ? .moves(to: .inProgress) : .refused(.notQueued)))
            rows.append(
                ("recordProgress", from, from == .inProgress ? .moves(to: .inProgress) : .refused(.notInProgress))
            )
            rows.append(("requestCancel", from, from.isActive ? .moves(to: from) : .refused(.notActive)))
            rows.append(("complete", from, from == .inProgress ? .moves(to: .completed) : .refused(.notInProgress)))
            rows.append(("terminate", from, from.isActive ? .moves(to: .failed) : .refused(.notActive)))
        }
        return rows
    }()

    @Test("Allowed and refused transitions", arguments: table)
    func transition(event: String, from: SyncStatus, expected: Expected) {
        do {
            let info = try Self.apply(event, to: Fixture.info(from))
            guard case .moves(let status) = expected else {
                Issue.record("\(event) from \(from) was allowed; expected \(expected)")
                return
            }
            #expect(info.status == status)
        } catch let error as TransitionError {
            guard case .refused(let code) = expected else {
                Issue.record("\(event) from \(from) was refused (\(error)); expected \(expected)")
                return
            }
            #expect(error.code == code)
            #expect(error.status == from)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("StartSync resets the last sync, increments attempts and stamps time_queued")
    func startSyncResets() throws {
        var finished = Fixture.info(.failed)
        finished.meta.tasksExisted = 7
        finished.meta.timeCancelRequested = Fixture.t0
        finished.meta.terminationReason = .cancelled
        let next = try SyncStatusMachine(finished).startSync(jobID: "job-2", now: Self.t1)
        #expect(next.status == .queued)
        #expect(next.lastSync == nil)
        #expect(next.lastSyncCount == 0)
        #expect(next.lastSyncJob == "job-2")
        #expect(next.traceback == nil)
        #expect(next.meta == SyncMeta(attempts: finished.meta.attempts + 1, timeQueued: Self.t1))
    }

    @Test("StartSync while queued or running names the running job")
    func singleFlight() {
        for status in [SyncStatus.queued, .inProgress] {
            let error = #expect(throws: TransitionError.self) {
                try SyncStatusMachine(Fixture.info(status)).startSync(jobID: "job-2", now: Self.t1)
            }
            #expect(error?.code == .alreadyRunning)
            #expect(error?.runningJobID == "job-1")
        }
    }

    @Test("Claim stamps time_in_progress and time_last_ping and records the worker")
    func claimStamps() throws {
        let next = try SyncStatusMachine(Fixture.queued())
            .claim(jobID: "job-1", workerID: "worker-a", instanceID: "inst-9", now: Self.t1)
        #expect(next.meta.timeInProgress == Self.t1)
        #expect(next.meta.timeLastPing == Self.t1)
        #expect(next.meta.workerID == "worker-a")
        #expect(next.meta.workerInstanceID == "inst-9")
        #expect(next.meta.timeQueued == Fixture.t0)
    }

    @Test("Events for another job are refused (fencing)")
    func jobMismatch() {
        let machine = SyncStatusMachine(Fixture.inProgress())
        let attempts: [() throws -> SyncInfo] = [
            { try machine.recordProgress(jobID: "old", counters: .zero, now: Self.t1) },
            { try machine.complete(jobID: "old", outcome: .completed, now: Self.t1) },
            {
                try machine.terminate(
                    TerminationVerdict(reason: .jobMissing, traceback: "", jobID: "old"),
                    now: Self.t1
                )
            },
            { try SyncStatusMachine(Fixture.queued()).claim(jobID: "old", workerID: "w", now: Self.t1) },
        ]
        for attempt in attempts {
            #expect(Self.refusal(attempt) == .jobMismatch)
        }
    }

    @Test("Bad arguments are refused")
    func invalidArguments() {
        #expect(
            Self.refusal {
                try SyncStatusMachine(.initial).startSync(jobID: "", now: Self.t1)
            } == .invalidArgument
        )
        #expect(
            Self.refusal {
                try SyncStatusMachine(Fixture.queued()).claim(jobID: "job-1", workerID: "", now: Self.t1)
            } == .invalidArgument
        )
        #expect(
            Self.refusal {
                try SyncStatusMachine(Fixture.inProgress())
                    .recordProgress(jobID: "job-1", counters: SyncCounters(bytes: -1), now: Self.t1)
            } == .invalidArgument
        )
    }

    @Test("Progress updates the counters and the ping time, which never goes backwards")
    func progressCounters() throws {
        let counters = SyncCounters(
            synced: 10,
            existed: 3,
            failedValidation: 2,
            objectsScanned: 15,
            bytes: 4096,
            totalAnnotations: 9
        )
        let next = try SyncStatusMachine(Fixture.inProgress()).recordProgress(
            jobID: "job-1",
            counters: counters,
            now: Self.t1
        )
        #expect(next.lastSyncCount == 0, "the count is the store's, never the worker's")
        #expect(next.meta.tasksExisted == 3)
        #expect(next.meta.tasksFailedValidation == 2)
        #expect(next.meta.objectsScanned == 15)
        #expect(next.meta.bytesTransferred == 4096)
        #expect(next.meta.totalAnnotations == 9)
        #expect(next.meta.timeLastPing == Self.t1)
        let earlier = try SyncStatusMachine(next).recordProgress(jobID: "job-1", counters: counters, now: Fixture.t0)
        #expect(earlier.meta.timeLastPing == Self.t1)
    }

    @Test("Completion stamps last_sync, time_completed and duration")
    func completion() throws {
        let end = Fixture.t0 + .seconds(90)
        let next = try SyncStatusMachine(Fixture.inProgress())
            .complete(jobID: "job-1", outcome: .completed, counters: SyncCounters(synced: 42), now: end)
        #expect(next.status == .completed)
        #expect(next.lastSync == end)
        #expect(next.lastSyncCount == 0, "the count is the store's, never the worker's")
        #expect(next.meta.timeCompleted == end)
        #expect(next.meta.timeFailure == nil)
        #expect(next.meta.duration == .seconds(90))
        #expect(next.traceback == nil)
    }

    @Test("A failure keeps the worker's traceback and stamps time_failure")
    func failure() throws {
        let end = Fixture.t0 + .seconds(3)
        let next = try SyncStatusMachine(Fixture.inProgress())
            .complete(jobID: "job-1", outcome: .failed(traceback: "data/a.json line 3: not JSON"), now: end)
        #expect(next.status == .failed)
        #expect(next.traceback == "data/a.json line 3: not JSON")
        #expect(next.meta.timeFailure == end)
        #expect(next.meta.timeCompleted == nil)
        #expect(next.meta.terminationReason == nil)
        #expect(next.meta.duration == .seconds(3))
    }

    @Test("A confirmed cancel fails the sync with reason CANCELLED")
    func cancelConfirmed() throws {
        let requested = try SyncStatusMachine(Fixture.inProgress()).requestCancel(now: Fixture.t0 + .seconds(1))
        let again = try SyncStatusMachine(requested).requestCancel(now: Fixture.t0 + .seconds(2))
        #expect(again.meta.timeCancelRequested == Fixture.t0 + .seconds(1))
        #expect(again.status == .inProgress)
        let next = try SyncStatusMachine(again).complete(
            jobID: "job-1",
            outcome: .cancelled,
            now: Fixture.t0 + .seconds(4)
        )
        #expect(next.status == .failed)
        #expect(next.meta.terminationReason == .cancelled)
        #expect(next.traceback?.contains("worker-a") == true)
        #expect(next.traceback?.contains("3 s after the cancel") == true)
    }

    @Test("Completed-with-errors lists the failed items, bounded, then '… and K more'")
    func completedWithErrorsBounded() throws {
        let items = (0..<5).map {
            SyncItemError(key: "data/\($0).json", rowIndex: Int64($0), line: $0 == 0 ? 7 : nil, message: "bad\nlabel")
        }
        let machine = SyncStatusMachine(Fixture.inProgress(), limits: .init(maxListedItems: 3))
        let next = try machine.complete(
            jobID: "job-1",
            outcome: .completedWithErrors(failedItems: items),
            counters: SyncCounters(synced: 90, failedValidation: 12),
            now: Self.t1
        )
        #expect(next.status == .completedWithErrors)
        #expect(next.meta.tasksFailedValidation == 12)
        #expect(next.meta.timeCompleted == Self.t1)
        let lines = next.traceback!.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0] == "12 items failed validation:")
        #expect(lines[1] == "- data/0.json (row 0, line 7): bad label")
        #expect(lines[3] == "- data/2.json (row 2): bad label")
        #expect(lines[4] == "… and 9 more")
    }

    @Test("The failed count is at least the number of items listed")
    func completedWithErrorsCountsItems() throws {
        let items = [SyncItemError(key: "a", message: "x"), SyncItemError(key: "b", message: "y")]
        let next = try SyncStatusMachine(Fixture.inProgress())
            .complete(jobID: "job-1", outcome: .completedWithErrors(failedItems: items), now: Self.t1)
        #expect(next.meta.tasksFailedValidation == 2)
        #expect(next.traceback == "2 items failed validation:\n- a: x\n- b: y")
    }

    @Test("Long lines and tracebacks are cut")
    func tracebackBytesBounded() throws {
        let limits = SyncStatusMachine.Limits(maxLineLength: 20, maxTracebackBytes: 200)
        let long = String(repeating: "é", count: 1000)
        let failed = try SyncStatusMachine(Fixture.inProgress(), limits: limits)
            .complete(jobID: "job-1", outcome: .failed(traceback: long), now: Self.t1)
        #expect(failed.traceback!.utf8.count <= 200)
        #expect(failed.traceback!.hasSuffix("(traceback truncated)"))
        let items = [SyncItemError(key: "k", message: long)]
        let listed = try SyncStatusMachine(Fixture.inProgress(), limits: limits)
            .complete(jobID: "job-1", outcome: .completedWithErrors(failedItems: items), now: Self.t1)
        #expect(listed.traceback!.split(separator: "\n")[1].count == 20)
    }

    @Test("Terminating a running sync records the reason and the time it ran until its last ping")
    func terminateRunning() throws {
        let pinged = try SyncStatusMachine(Fixture.inProgress())
            .recordProgress(jobID: "job-1", counters: .zero, now: Fixture.t0 + .seconds(20))
        let verdict = TerminationVerdict(reason: .heartbeatTimeout, traceback: "silent", jobID: "job-1")
        let now = Fixture.t0 + .seconds(100)
        let next = try SyncStatusMachine(pinged).terminate(verdict, now: now)
        #expect(next.status == .failed)
        #expect(next.meta.terminationReason == .heartbeatTimeout)
        #expect(next.traceback == "silent")
        #expect(next.meta.timeFailure == now)
        #expect(next.meta.duration == .seconds(20))
        #expect(next.lastSync == now, "every settled sync has a last_sync")
        #expect(throws: TransitionError.self) { try SyncStatusMachine(next).terminate(verdict, now: now) }
    }
}
