import FerryProto
import Synchronization

/// Sends import batches one at a time while the sync loop prepares the next: each
/// ``send(_:)`` first waits for the previous batch's reply (and counts it), then starts this one.
/// So listing, reading and parsing overlap with the server storing the previous batch, and at
/// most one batch is in flight: batches are stored in the order they were planned, which is
/// what lets the last batch of a split object mark its key complete.
final class SubmissionPipeline: Sendable {
    /// A batch's reply, and whether the call had to be repeated to get it (its links may then
    /// have been made by the first attempt).
    struct Reply: Sendable {
        var response: FerryV1.SubmitImportBatchResponse
        var retried: Bool
    }

    private let inflight = Mutex<Task<Reply, any Error>?>(nil)
    private let submit: @Sendable (ImportBatch) async throws -> Reply
    private let account: @Sendable (Reply) -> Void

    /// Creates a pipeline.
    ///
    /// - Parameters:
    ///   - submit: Makes one SubmitImportBatch call.
    ///   - account: Counts a reply.
    init(
        submit: @escaping @Sendable (ImportBatch) async throws -> Reply,
        account: @escaping @Sendable (Reply) -> Void
    ) {
        self.submit = submit
        self.account = account
    }

    /// Waits for the batch in flight, then starts sending `batch`.
    func send(_ batch: ImportBatch) async throws {
        try await drain()
        guard !batch.tasks.isEmpty else { return }
        try Task.checkCancellation()
        let submit = self.submit
        inflight.withLock { $0 = Task { try await submit(batch) } }
    }

    /// Waits for the batch in flight and counts its reply.
    func drain() async throws {
        guard let task = inflight.withLock({ $0.take() }) else { return }
        let reply = try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
        account(reply)
    }

    /// Cancels the batch in flight and waits until it has ended, so nothing is sent after the
    /// sync loop has stopped.
    func abandon() async {
        guard let task = inflight.withLock({ $0.take() }) else { return }
        task.cancel()
        _ = await task.result
    }
}
