import FerryCore
import Testing

@testable import FerryStore

@Suite("Lease fence")
struct LeaseFenceTests {
    static let lease = JobLease(jobID: "job-1", token: "token-1", workerID: "worker-a", instanceID: "inst-1")

    static func row(
        state: JobState = .running,
        token: String? = "token-1",
        worker: String? = "worker-a",
        instance: String? = "inst-1",
        cancelRequestedAt: FerryTime? = nil
    ) -> JobLeaseRow {
        JobLeaseRow(
            storageID: 7, kind: .import, state: state, leaseToken: token, workerID: worker, instanceID: instance,
            cancelRequestedAt: cancelRequestedAt, cancelReason: cancelRequestedAt.map { _ in "by ops" })
    }

    @Test("the holder of a running job's token may write, and learns its storage and cancel request")
    func activeLease() throws {
        let requested = FerryTime(unixMicroseconds: 1_000)
        let (state, job) = try LeaseFence.evaluate(Self.lease, row: Self.row(cancelRequestedAt: requested))
        #expect(state == .active)
        #expect(job?.storageID == 7)
        #expect(job?.cancelRequestedAt == requested)
        #expect(job?.cancelReason == "by ops")
        #expect(try LeaseFence.require(Self.lease, row: Self.row()).storageID == 7)
    }

    @Test("a missing job, a job never claimed and a wrong token are unknown, and refuse writes")
    func unknownLease() async throws {
        let rows: [JobLeaseRow?] = [nil, Self.row(state: .queued, token: nil), Self.row(token: "token-2"), Self.row(token: "token-")]
        for row in rows {
            let (state, job) = try LeaseFence.evaluate(Self.lease, row: row)
            #expect(state == .unknown)
            #expect(job == nil)
            await expectStoreError(.leaseNotCurrent) { _ = try LeaseFence.require(Self.lease, row: row) }
        }
    }

    @Test("a settled job reports its state and refuses writes", arguments: [JobState.succeeded, .failed, .lost, .cancelled])
    func settledLease(state: JobState) async throws {
        #expect(try LeaseFence.evaluate(Self.lease, row: Self.row(state: state)).state == .settled(state))
        let error = await expectStoreError(.leaseNotCurrent) { _ = try LeaseFence.require(Self.lease, row: Self.row(state: state)) }
        #expect(error?.message.contains("settled(\(state))") == true)
    }

    @Test("the right token from another worker or another process of the same worker is refused as not the holder")
    func anotherHolder() async throws {
        for row in [Self.row(worker: "worker-b"), Self.row(instance: "inst-2")] {
            await expectStoreError(.notLeaseHolder) { _ = try LeaseFence.evaluate(Self.lease, row: row) }
        }
    }

    @Test("token comparison needs every byte and the same length")
    func tokenComparison() {
        #expect(LeaseFence.tokensMatch("abc", "abc"))
        #expect(!LeaseFence.tokensMatch("abc", "abd"))
        #expect(!LeaseFence.tokensMatch("abc", "abcd"))
        #expect(!LeaseFence.tokensMatch("", "a"))
        #expect(LeaseFence.tokensMatch("", ""))
    }
}
