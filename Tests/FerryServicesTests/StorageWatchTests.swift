import FerryCore
import FerryStore
import Testing

@testable import FerryServices

/// The rules of a WatchStorages call without a server: what the ledger tells and holds back, how
/// an inbox coalesces touches, and which storages a filter follows.
@Suite struct StorageWatchLedgerTests {
    static let t0 = FerryTime(unixMicroseconds: 1_800_000_000_000_000)

    static func storage(id: Int64 = 1, project: Int64 = 7, kind: StorageKind = .import, sync: SyncInfo = .initial)
        -> Storage
    {
        Storage(
            id: id, kind: kind,
            settings: StorageSettings(projectID: project, title: "s\(id)", location: .local(LocalLocation(path: "d"))),
            syncInfo: sync, createdAt: t0, updatedAt: t0)
    }

    static func running(job: String = "job-1", created: Int64 = 0, scanned: Int64 = 0) -> SyncInfo {
        var info = SyncInfo.initial
        info.status = .inProgress
        info.lastSyncJob = job
        info.lastSyncCount = created
        info.meta.objectsScanned = scanned
        info.meta.timeLastPing = t0
        return info
    }

    static let interval = Duration.seconds(10)

    @Test func aStorageNotToldYetIsAChange() {
        var ledger = StorageWatchLedger()
        let storage = Self.storage()
        #expect(ledger.observe(storage, at: .zero, progressEvery: Self.interval) == .changed(storage))
        #expect(ledger.observe(storage, at: .seconds(1), progressEvery: Self.interval) == nil, "told twice")
    }

    @Test func statusChangesGoAtOnceAndProgressAtMostOncePerInterval() {
        var ledger = StorageWatchLedger()
        ledger.tellCurrent(Self.storage(sync: Self.running(created: 1)))

        var moved = Self.storage(sync: Self.running(created: 50, scanned: 100))
        #expect(ledger.observe(moved, at: .seconds(10), progressEvery: Self.interval) == .progress(moved))
        #expect(ledger.observe(moved, at: .seconds(11), progressEvery: Self.interval) == nil, "the same progress told twice")
        moved.syncInfo.lastSyncCount = 60
        #expect(ledger.observe(moved, at: .seconds(15), progressEvery: Self.interval) == nil, "progress twice in one interval")
        #expect(ledger.observe(moved, at: .seconds(20), progressEvery: Self.interval) == .progress(moved))

        moved.syncInfo.status = .failed
        moved.syncInfo.meta.terminationReason = .heartbeatTimeout
        #expect(ledger.observe(moved, at: .seconds(21), progressEvery: Self.interval) == .changed(moved), "a verdict waited")
    }

    @Test func heldBackProgressIsToldOnceTheIntervalHasPassed() {
        var ledger = StorageWatchLedger()
        ledger.tellCurrent(Self.storage(sync: Self.running()))
        _ = ledger.observe(Self.storage(sync: Self.running(created: 5)), at: .seconds(3), progressEvery: Self.interval)
        let moved = Self.storage(sync: Self.running(created: 10))
        #expect(ledger.observe(moved, at: .seconds(8), progressEvery: Self.interval) == nil)
        #expect(ledger.told[1] == Self.storage(sync: Self.running(created: 5)), "held-back progress recorded as told")
        #expect(ledger.observe(moved, at: .seconds(13), progressEvery: Self.interval) == .progress(moved))
    }

    @Test func settingsSecretsCancelAndANewJobAreStateChanges() {
        let base = Self.storage(sync: Self.running())
        var retitled = base
        retitled.settings.title = "renamed"
        retitled.revision = 2
        var secret = base
        secret.secretNames = ["token"]
        var cancelling = base
        cancelling.syncInfo.meta.timeCancelRequested = Self.t0
        var newJob = base
        newJob.syncInfo.lastSyncJob = "job-2"
        for changed in [retitled, secret, cancelling, newJob] {
            #expect(StorageWatchLedger.isStateChange(from: base, to: changed), "\(changed)")
        }
        var progressed = base
        progressed.syncInfo.meta.tasksExisted = 3
        progressed.syncInfo.meta.timeLastPing = Self.t0 + .seconds(5)
        #expect(!StorageWatchLedger.isStateChange(from: base, to: progressed))
    }

    @Test func aDeletionIsToldOnceAndOnlyForAToldStorage() {
        var ledger = StorageWatchLedger()
        ledger.tellCurrent(Self.storage(id: 3, sync: Self.running(job: "job-3")))
        #expect(ledger.storageID(ofJob: "job-3") == 3)
        #expect(ledger.observeGone(3) == .deleted(3))
        #expect(ledger.observeGone(3) == nil)
        #expect(ledger.observeGone(4) == nil)
        #expect(ledger.storageID(ofJob: "job-3") == nil)
    }

    @Test func jobsMapToTheirStorageAndActiveStoragesAreKnown() {
        var ledger = StorageWatchLedger()
        ledger.tellCurrent(Self.storage(id: 1, sync: Self.running(job: "job-a")))
        ledger.tellCurrent(Self.storage(id: 2))
        #expect(ledger.activeIDs == [1])
        var next = Self.storage(id: 1, sync: Self.running(job: "job-b"))
        next.syncInfo.status = .queued
        _ = ledger.observe(next, at: .zero, progressEvery: Self.interval)
        #expect(ledger.storageID(ofJob: "job-b") == 1)
        #expect(ledger.storageID(ofJob: "job-a") == nil, "an old job still mapped")
    }
}

@Suite struct WatchInboxTests {
    @Test func touchesCoalesceUntilTaken() {
        let inbox = WatchInbox()
        inbox.post(.storage(1))
        inbox.post(.storage(1))
        inbox.post(.job("job-9"))
        inbox.postTick()
        #expect(inbox.take() == WatchInbox.Work(storageIDs: [1], jobIDs: ["job-9"], tick: true))
        #expect(inbox.take().isEmpty)
    }

    @Test func tooManyTouchesBecomeOneReadOfEverything() {
        let inbox = WatchInbox()
        for id in 0...Int64(WatchInbox.maxPendingStorages) { inbox.post(.storage(id)) }
        let work = inbox.take()
        #expect(work.everything && work.storageIDs.isEmpty, "pending touches grew without bound")
    }

    @Test func theHubReachesOpenInboxesAndClosingEndsThem() async {
        let hub = StorageWatchHub()
        hub.touch(.storage(5))  // Nobody watches: nothing to keep.
        let inbox = try! #require(hub.open())
        hub.touch(.unknown)
        #expect(inbox.take().everything)
        hub.close()
        #expect(hub.open() == nil, "a watch opened during shutdown")
        var wakeups = 0
        for await _ in inbox.wakeups { wakeups += 1 }  // Ends: the hub finished it.
        #expect(wakeups <= 1)
        hub.release(inbox)
        #expect(hub.openCount == 0)
    }

    @Test func filtersMatchProjectKindProviderAndIDs() {
        let storage = StorageWatchLedgerTests.storage(id: 4, project: 7, kind: .export)
        #expect(StorageWatchFilter().matches(storage))
        #expect(StorageWatchFilter(projectID: 7, kinds: [.export], providers: [.local], storageIDs: [4]).matches(storage))
        #expect(!StorageWatchFilter(projectID: 8).matches(storage))
        #expect(!StorageWatchFilter(kinds: [.import]).matches(storage))
        #expect(!StorageWatchFilter(providers: [.s3]).matches(storage))
        #expect(!StorageWatchFilter(storageIDs: [5]).matches(storage))
    }
}
