import FerryCore
import FerryStore
import Testing

@testable import FerryServices

/// ``DeferredProgress``: coalesced progress comes out when it falls due, newest per job, and a
/// sweep finds it by its tick.
@Suite struct DeferredProgressTests {
    let origin = ContinuousClock.now
    let tick = Duration.milliseconds(100)

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { origin + .milliseconds(milliseconds) }

    func report(_ jobID: String, scanned: Int64) -> ProgressReport {
        ProgressReport(
            lease: JobLease(jobID: jobID, token: "t", workerID: "w", instanceID: "i"),
            counters: SyncCounters(objectsScanned: scanned), checkpoint: nil,
            time: FerryTime(unixMicroseconds: 1_800_000_000_000_000))
    }

    func scanned(_ reports: [ProgressReport]) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: reports.map { ($0.lease.jobID, $0.counters.objectsScanned) })
    }

    @Test func onlyWhatIsDueComesOutNewestPerJobAtItsEarliestDueTime() {
        var deferred = DeferredProgress(origin: origin, tick: tick)
        deferred.hold(report("a", scanned: 1), due: at(250))
        deferred.hold(report("a", scanned: 2), due: at(900))
        deferred.hold(report("b", scanned: 5), due: at(450))
        #expect(deferred.takeDue(now: at(200)).isEmpty)
        #expect(scanned(deferred.takeDue(now: at(300))) == ["a": 2])
        #expect(deferred.takeDue(now: at(400)).isEmpty)
        #expect(scanned(deferred.takeDue(now: at(500))) == ["b": 5])
        #expect(deferred.isEmpty)
    }

    @Test func aSweepBetweenTickBoundariesReleasesWhatIsDueInItsTick() {
        var deferred = DeferredProgress(origin: origin, tick: tick)
        deferred.hold(report("a", scanned: 1), due: at(410))
        deferred.hold(report("b", scanned: 2), due: at(480))
        #expect(scanned(deferred.takeDue(now: at(450))) == ["a": 1], "due within the tick being swept")
        #expect(scanned(deferred.takeDue(now: at(490))) == ["b": 2], "kept in its tick for the next sweep")
        #expect(deferred.isEmpty)
    }

    @Test func anEarlierDueTimeMovesAJobToAnEarlierTick() {
        var deferred = DeferredProgress(origin: origin, tick: tick)
        deferred.hold(report("a", scanned: 1), due: at(900))
        deferred.hold(report("a", scanned: 2), due: at(250))
        #expect(scanned(deferred.takeDue(now: at(300))) == ["a": 2])
        #expect(deferred.takeDue(now: at(1_000)).isEmpty)
    }

    @Test func aRemovedJobHeldAgainFallsDueAtItsNewTime() {
        var deferred = DeferredProgress(origin: origin, tick: tick)
        deferred.hold(report("a", scanned: 1), due: at(250))
        deferred.remove("a")
        #expect(deferred.isEmpty)
        deferred.hold(report("a", scanned: 3), due: at(700))
        #expect(deferred.takeDue(now: at(300)).isEmpty, "its old tick passed, its new due time did not")
        #expect(scanned(deferred.takeDue(now: at(800))) == ["a": 3])
    }

    @Test func aNewerReportWithoutACheckpointKeepsTheWaitingOne() {
        var deferred = DeferredProgress(origin: origin, tick: tick)
        var first = report("a", scanned: 1)
        first.checkpoint = SyncCheckpoint(lastKey: "k/7")
        deferred.hold(first, due: at(250))
        deferred.hold(report("a", scanned: 2), due: at(250))
        let held = deferred.takeAll()
        #expect(held.map(\.counters.objectsScanned) == [2])
        #expect(held.first?.checkpoint?.lastKey == "k/7")
    }

    @Test func takeAllEmptiesTheQueue() {
        var deferred = DeferredProgress(origin: origin, tick: tick)
        deferred.hold(report("a", scanned: 1), due: at(250))
        deferred.hold(report("b", scanned: 2), due: at(5_000))
        #expect(scanned(deferred.takeAll()) == ["a": 1, "b": 2])
        #expect(deferred.isEmpty)
        #expect(deferred.takeDue(now: at(10_000)).isEmpty)
    }
}
