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
            instances.record(Self.offer, workerID: "w1", instanceID: "i1")
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
            instances.record(Self.offer, workerID: "w1", instanceID: "i1")
        }
        #expect(!instances.isOffered(kind: .import, provider: .local))
    }
}
