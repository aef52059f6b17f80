import FerryCore
import FerryMapping
import FerryProto
import FerryRPC
import FerryStore

extension StorageService {
    /// ListJobs: the queued and running jobs, oldest first, with the queue's depth.
    @Sendable
    func listJobs(_ request: FerryV1.ListJobsRequest, _ context: ServerContext) async throws
        -> FerryV1.ListJobsResponse
    {
        guard request.pageSize >= 0 else {
            throw RPCError(code: .invalidArgument, message: "page_size: must not be negative")
        }
        var cursor: JobCursor?
        if !request.pageToken.isEmpty {
            guard let parsed = JobCursor(token: request.pageToken) else {
                throw RPCError(code: .invalidArgument, message: "page_token: not a token this server issued")
            }
            cursor = parsed
        }
        let states = try request.states.map { state -> JobState in
            switch state {
            case .queued: return .queued
            case .running: return .running
            default: throw RPCError(code: .invalidArgument, message: "states: only JOB_STATE_QUEUED and JOB_STATE_RUNNING are listed")
            }
        }
        let page = try await store.listJobs(JobQuery(states: Set(states), pageSize: Int(request.pageSize), cursor: cursor))
        return FerryV1.ListJobsResponse(
            jobs: page.jobs.map(\.info),
            nextPageToken: page.nextCursor?.token ?? "",
            queuedCount: page.queuedCount,
            runningCount: page.runningCount,
            oldestQueuedUnixMicros: page.oldestQueuedAt?.unixMicroseconds ?? 0)
    }
}

extension JobRecord {
    /// What ListJobs shows of a queued or running job.
    fileprivate var info: FerryV1.JobInfo {
        FerryV1.JobInfo(
            jobID: id,
            storageID: storageID,
            kind: kind.proto,
            provider: provider.proto,
            state: state == .running ? .running : .queued,
            workerID: workerID ?? "",
            instanceID: instanceID ?? "",
            createdUnixMicros: createdAt.unixMicroseconds,
            claimedUnixMicros: claimedAt?.unixMicroseconds ?? 0,
            lastProgressUnixMicros: lastProgressAt?.unixMicroseconds ?? 0,
            cancelRequested: cancelRequestedAt != nil)
    }
}
