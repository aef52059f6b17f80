import FerryCore
import Testing

@testable import FerryStore

@Suite("ListJobs: queued and running jobs, oldest first, with the queue's depth")
struct JobListingTests {
    @Test("lists active jobs oldest first, page by page, with counts over all pages", arguments: StoreKind.allCases)
    func listsActiveJobsInPages(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let empty = try await store.listJobs(JobQuery())
            #expect(empty == JobPage(jobs: [], nextCursor: nil, queuedCount: 0, runningCount: 0, oldestQueuedAt: nil))

            let running = try await Fixture.runningJob(store, job: "job-running")
            // Three queued jobs; two share a queue time, so the id breaks the tie.
            for (index, job) in ["job-b", "job-a", "job-c"].enumerated() {
                let storage = try await Fixture.storage(store, title: "s\(index)")
                let queuedAt = Fixture.t0 + .seconds(index == 2 ? 20 : 10)
                _ = try await store.startSync(storageID: storage.id, options: .default, now: queuedAt, jobID: job)
            }
            // A settled job is not listed.
            let done = try await Fixture.runningJob(store, job: "job-done")
            _ = try await store.completeJob(lease: done.claim.lease, outcome: .completed, counters: nil, now: Fixture.t0)

            var ids: [String] = []
            var query = JobQuery(pageSize: 2)
            repeat {
                let page = try await store.listJobs(query)
                #expect(page.jobs.count <= 2)
                #expect(page.queuedCount == 3 && page.runningCount == 1)
                #expect(page.oldestQueuedAt == Fixture.t0 + .seconds(10))
                ids += page.jobs.map(\.id)
                query.cursor = page.nextCursor
            } while query.cursor != nil
            // The running job was queued at t0, before the others.
            #expect(ids == ["job-running", "job-a", "job-b", "job-c"])

            let onlyRunning = try await store.listJobs(JobQuery(states: [.running]))
            #expect(onlyRunning.jobs.map(\.id) == ["job-running"])
            #expect(onlyRunning.jobs.first?.workerID == running.claim.lease.workerID)
            #expect(onlyRunning.queuedCount == 3, "the depth counts the whole queue, whatever states were asked for")
        }
    }

    @Test("a page token survives its text form, and other text is refused")
    func cursorTokens() {
        let cursor = JobCursor(createdAt: Fixture.t0, jobID: "job-1.x")
        #expect(JobCursor(token: cursor.token) == cursor)
        for bad in ["", "j1.", "j1.12", "j1.-5.job", "s1.12.job", "j1.x.job"] {
            #expect(JobCursor(token: bad) == nil, "\(bad)")
        }
    }
}
