public import FerryCore

/// Which jobs ``FerryStore/listJobs(_:)`` returns: queued and running ones, oldest first.
public struct JobQuery: Sendable, Hashable {
    /// The page size when none is asked for.
    public static let defaultPageSize = 100
    /// The largest page.
    public static let maxPageSize = 1_000

    /// Only jobs in these states; empty for queued and running. Settled states are not listed.
    public var states: Set<JobState>
    /// The most jobs per page; 0 or less for the default.
    public var pageSize: Int
    /// Where the previous page ended; `nil` for the first page.
    public var cursor: JobCursor?

    /// Creates a query.
    ///
    /// - Parameters:
    ///   - states: Only jobs in these states (queued, running); empty for both.
    ///   - pageSize: The most jobs per page.
    ///   - cursor: Where the previous page ended.
    public init(states: Set<JobState> = [], pageSize: Int = 0, cursor: JobCursor? = nil) {
        self.states = states
        self.pageSize = pageSize
        self.cursor = cursor
    }

    /// The states listed: those asked for among queued and running, or both.
    public var listedStates: [JobState] {
        let active: [JobState] = [.queued, .running]
        return states.isEmpty ? active : active.filter(states.contains)
    }

    /// The page size in effect.
    public var effectivePageSize: Int {
        pageSize <= 0 ? Self.defaultPageSize : min(pageSize, Self.maxPageSize)
    }
}

/// Where a page of jobs ended: the last job's queue time and id (jobs are listed by both).
public struct JobCursor: Sendable, Hashable, CustomStringConvertible {
    /// The last listed job's queue time.
    public let createdAt: FerryTime
    /// The last listed job's id.
    public let jobID: String

    /// Creates a cursor after this job.
    public init(createdAt: FerryTime, jobID: String) {
        self.createdAt = createdAt
        self.jobID = jobID
    }

    /// Reads a page token; `nil` when it is not one this store issued.
    public init?(token: String) {
        guard token.hasPrefix(Self.prefix) else { return nil }
        let parts = token.dropFirst(Self.prefix.count).split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]), micros >= 0, !parts[1].isEmpty else { return nil }
        self.createdAt = FerryTime(unixMicroseconds: micros)
        self.jobID = String(parts[1])
    }

    /// The page token.
    public var token: String { Self.prefix + "\(createdAt.unixMicroseconds).\(jobID)" }

    public var description: String { token }

    private static let prefix = "j1."
}

/// One page of ``FerryStore/listJobs(_:)``, with the queue's depth over all pages.
public struct JobPage: Sendable, Hashable {
    /// The jobs, oldest first.
    public var jobs: [JobRecord]
    /// The next page's cursor; `nil` on the last page.
    public var nextCursor: JobCursor?
    /// Jobs waiting in the queue now.
    public var queuedCount: Int64
    /// Jobs held by workers now.
    public var runningCount: Int64
    /// When the oldest queued job was queued; `nil` when none is.
    public var oldestQueuedAt: FerryTime?

    /// Creates a page.
    public init(
        jobs: [JobRecord], nextCursor: JobCursor?, queuedCount: Int64, runningCount: Int64, oldestQueuedAt: FerryTime?
    ) {
        self.jobs = jobs
        self.nextCursor = nextCursor
        self.queuedCount = queuedCount
        self.runningCount = runningCount
        self.oldestQueuedAt = oldestQueuedAt
    }
}
