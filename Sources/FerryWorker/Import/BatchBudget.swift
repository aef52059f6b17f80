import FerryProto

/// How many encoded bytes of tasks one SubmitImportBatch request may carry: the server's
/// largest request message (its SETTINGS `MAX_MESSAGE_SIZE`) less what the request holds
/// besides its tasks (the lease). A task that would not fit even alone, with its key listed as
/// partial, cannot be sent at all; the sync counts it as failed validation instead of failing.
struct BatchBudget: Sendable {
    /// The server's message limit, in bytes.
    let messageLimit: Int
    /// The encoded bytes the tasks and partial keys of one batch may take.
    let entryBytes: Int

    /// Creates the budget of requests under a lease.
    ///
    /// - Parameters:
    ///   - messageLimit: The largest request message the server accepts.
    ///   - lease: The lease every request carries.
    init(messageLimit: Int, lease: FerryV1.JobLease) {
        self.messageLimit = messageLimit
        let bare = (try? ProtobufSerializer<FerryV1.SubmitImportBatchRequest>()
            .serialize(FerryV1.SubmitImportBatchRequest(lease: lease)).count) ?? messageLimit
        self.entryBytes = messageLimit - bare
    }

    /// Whether a batch of this task alone fits, with its key listed as partial.
    func fits(_ task: FerryV1.ImportTask) -> Bool {
        WireSize.taskEntry(task) + WireSize.stringField(task.key) <= entryBytes
    }

    /// The item error of a task that does not fit, naming the limit.
    func oversizeError(_ task: FerryV1.ImportTask) -> FerryV1.ItemError {
        FerryV1.ItemError(
            key: task.key,
            rowIndex: task.rowIndex,
            message: """
                Task data of \(task.dataJSON.utf8.count) bytes does not fit in one request: the server \
                accepts messages of at most \(messageLimit) bytes
                """
        )
    }
}

extension Array {
    /// The elements that satisfy `belongs`, and the others, each in order.
    func partitioned(by belongs: (Element) -> Bool) -> (matching: [Element], others: [Element]) {
        var matching: [Element] = []
        var others: [Element] = []
        for element in self {
            if belongs(element) { matching.append(element) } else { others.append(element) }
        }
        return (matching, others)
    }
}
