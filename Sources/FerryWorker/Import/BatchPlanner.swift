import FerryProto

/// Groups an import's tasks into SubmitImportBatch requests: at most `maxTasks` tasks and about
/// `maxBytes` of data per batch, and one object's rows always in one batch unless they exceed a
/// batch on their own (more than `hardMaxTasks` rows, the server's limit, or more than
/// `maxBytes`), in which case they are split in row order.
struct BatchPlanner {
    let maxTasks: Int
    let hardMaxTasks: Int
    let maxBytes: Int
    private var pending: [FerryV1.ImportTask] = []
    private var pendingBytes = 0

    /// Creates a planner.
    ///
    /// - Parameters:
    ///   - maxTasks: The configured batch size.
    ///   - hardMaxTasks: The most tasks the server takes in one batch.
    ///   - maxBytes: About how many bytes of keys and data one batch may carry.
    init(maxTasks: Int, hardMaxTasks: Int, maxBytes: Int) {
        self.maxTasks = maxTasks
        self.hardMaxTasks = hardMaxTasks
        self.maxBytes = maxBytes
    }

    /// Adds one object's tasks.
    ///
    /// - Parameter tasks: Every row of one object.
    /// - Returns: The batches now ready to send, in order.
    mutating func add(_ tasks: [FerryV1.ImportTask]) -> [[FerryV1.ImportTask]] {
        let bytes = tasks.reduce(0) { $0 + Self.size(of: $1) }
        var ready: [[FerryV1.ImportTask]] = []
        let whole = tasks.count <= hardMaxTasks && bytes <= maxBytes
        if !pending.isEmpty && (!whole || pending.count + tasks.count > maxTasks || pendingBytes + bytes > maxBytes) {
            ready.append(pending)
            pending = []
            pendingBytes = 0
        }
        if whole {
            pending += tasks
            pendingBytes += bytes
            return ready
        }
        var chunk: [FerryV1.ImportTask] = []
        var chunkBytes = 0
        for task in tasks {
            let size = Self.size(of: task)
            if !chunk.isEmpty && (chunk.count == hardMaxTasks || chunkBytes + size > maxBytes) {
                ready.append(chunk)
                chunk = []
                chunkBytes = 0
            }
            chunk.append(task)
            chunkBytes += size
        }
        if !chunk.isEmpty { ready.append(chunk) }
        return ready
    }

    /// Takes what is pending, if anything.
    mutating func flush() -> [FerryV1.ImportTask]? {
        defer {
            pending = []
            pendingBytes = 0
        }
        return pending.isEmpty ? nil : pending
    }

    /// A task's share of a request: its key, its data and a little framing.
    private static func size(of task: FerryV1.ImportTask) -> Int {
        task.key.utf8.count + task.dataJSON.utf8.count + 16
    }
}
