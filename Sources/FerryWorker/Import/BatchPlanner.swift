import FerryProto

/// Groups an import's tasks into SubmitImportBatch requests: at most `maxTasks` tasks (and never
/// more than `hardMaxTasks`, the server's limit) and `maxBytes` encoded bytes of tasks per
/// batch, and one object's rows always in one batch unless they exceed a batch on their own.
/// Such an object is split in row order, and every batch of it but the last lists its key in
/// ``ImportBatch/partialKeys``, so the server knows the key is complete only once its last row
/// is in.
///
/// A batch of several tasks never exceeds `maxBytes`, the partial key included; a single task
/// larger than that goes alone (``BatchBudget`` has already refused the tasks that cannot be
/// sent at all).
struct BatchPlanner {
    let maxTasks: Int
    let hardMaxTasks: Int
    let maxBytes: Int
    private var pending = ImportBatch()
    private var pendingBytes = 0

    /// Creates a planner.
    ///
    /// - Parameters:
    ///   - maxTasks: The configured batch size.
    ///   - hardMaxTasks: The most tasks the server takes in one batch.
    ///   - maxBytes: The most encoded bytes of tasks (and partial keys) one batch carries.
    init(maxTasks: Int, hardMaxTasks: Int, maxBytes: Int) {
        self.maxTasks = maxTasks
        self.hardMaxTasks = hardMaxTasks
        self.maxBytes = maxBytes
    }

    /// Adds one object's tasks.
    ///
    /// - Parameter tasks: The rows of one object (one key), in row order.
    /// - Returns: The batches now ready to send, in order.
    mutating func add(_ tasks: [FerryV1.ImportTask]) -> [ImportBatch] {
        guard let key = tasks.first?.key else { return [] }
        let sizes = tasks.map(WireSize.taskEntry)
        let bytes = sizes.reduce(0, +)
        var ready: [ImportBatch] = []
        let rowsPerBatch = min(maxTasks, hardMaxTasks)
        let whole = tasks.count <= rowsPerBatch && bytes <= maxBytes
        if !pending.tasks.isEmpty
            && (!whole || pending.tasks.count + tasks.count > rowsPerBatch || pendingBytes + bytes > maxBytes)
        {
            ready.append(pending)
            pending = ImportBatch()
            pendingBytes = 0
        }
        if whole {
            pending.tasks += tasks
            pendingBytes += bytes
            return ready
        }
        // Split: each chunk leaves room for the key in partial_keys.
        let room = maxBytes - WireSize.stringField(key)
        var chunk: [FerryV1.ImportTask] = []
        var chunkBytes = 0
        for (task, size) in zip(tasks, sizes) {
            if !chunk.isEmpty && (chunk.count == rowsPerBatch || chunkBytes + size > room) {
                ready.append(ImportBatch(tasks: chunk, partialKeys: [key]))
                chunk = []
                chunkBytes = 0
            }
            chunk.append(task)
            chunkBytes += size
        }
        ready.append(ImportBatch(tasks: chunk))
        return ready
    }

    /// Takes what is pending, if anything.
    mutating func flush() -> ImportBatch? {
        defer {
            pending = ImportBatch()
            pendingBytes = 0
        }
        return pending.tasks.isEmpty ? nil : pending
    }
}
