import FerryCore
import Testing

@testable import FerryServices

/// Which storages the connected workers can run: an instance's offer counts while it has a call
/// open and for the grace after its last call, then not.
@Suite struct WorkerOffersTests {
    static let offer = WorkerInstances.Offer(kinds: [.import], providers: [.local, .s3])

    @Test func anOfferCountsWhileACallIsOpenAndForTheGraceAfter() async {
        let instances = WorkerInstances(offerGrace: .seconds(30))
        #expect(instances.waitingReason(kind: .import, provider: .s3) == "no connected worker offers s3 import")
        await instances.withOpenCall(workerID: "w1", instanceID: "i1") {
            instances.record(Self.offer, version: "1.0", host: "127.0.0.1:1", workerID: "w1", instanceID: "i1")
            #expect(instances.waitingReason(kind: .import, provider: .s3) == nil)
            #expect(instances.waitingReason(kind: .export, provider: .s3) == "no connected worker offers s3 export")
            #expect(instances.waitingReason(kind: .import, provider: .gcs) == "no connected worker offers gcs import")
        }
        // Between one AcquireJob and the next: still offered.
        #expect(instances.isOffered(kind: .import, provider: .local))
        #expect(!instances.isOffered(kind: .import, provider: .local, now: .now + .seconds(31)))
    }

    @Test func anInstanceGoneLongerThanTheGraceOffersNothing() async {
        let instances = WorkerInstances(offerGrace: .zero)
        await instances.withOpenCall(workerID: "w1", instanceID: "i1") {
            instances.record(Self.offer, version: "1.0", host: "127.0.0.1:1", workerID: "w1", instanceID: "i1")
        }
        #expect(!instances.isOffered(kind: .import, provider: .local))
    }
}

/// What ListWorkers shows: each worker id's current process, connected while it has a call
/// open, gone (with its last-seen time) when its calls ended, and its heartbeat streams as jobs.
@Suite struct WorkerPresenceTests {
    @Test func aWorkerIsConnectedWhileItHasCallsAndGoneAfter() async {
        let clock = ManualClock(FerryTime(unixMicroseconds: 1_000_000))
        let instances = WorkerInstances(offerGrace: .zero, clock: clock)
        #expect(instances.presences().isEmpty)
        _ = instances.register(workerID: "w1", instanceID: "i1")
        await instances.withOpenCall(workerID: "w1", instanceID: "i1") {
            instances.record(WorkerOffersTests.offer, version: "1.2", host: "10.0.0.7:5000", workerID: "w1", instanceID: "i1")
            clock.advance(by: .seconds(2))
            await instances.withOpenCall(workerID: "w1", instanceID: "i1", heartbeat: true) {
                let running = instances.presences()
                #expect(running.count == 1)
                #expect(running.first?.connectedSince == FerryTime(unixMicroseconds: 1_000_000))
                #expect(running.first?.heartbeats == 1)
                #expect(running.first?.version == "1.2" && running.first?.host == "10.0.0.7:5000")
                #expect(running.first?.offer == WorkerOffersTests.offer)
            }
            #expect(instances.presences().first?.heartbeats == 0)
        }
        clock.advance(by: .seconds(3))
        let gone = instances.presences()
        #expect(gone.first?.connectedSince == nil)
        #expect(gone.first?.lastSeen == FerryTime(unixMicroseconds: 3_000_000))
        #expect(gone.first?.instanceID == "i1")
    }
}
