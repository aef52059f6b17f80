import FerryProto
import Synchronization

/// Sends import batches one at a time while the sync loop prepares the next: each
/// ``send(_:)`` first waits for the previous batch's reply (and counts it), then starts this one.
/// So listing, reading and parsing overlap with the server storing the previous batch, and at
/// most one batch is in flight.
final class SubmissionPipeline: Sendable {
    private let inflight = Mutex<Task<FerryV1.SubmitImportBatchResponse, any Error>?>(nil)
    private let submit: @Sendable ([FerryV1.ImportTask]) async throws -> FerryV1.SubmitImportBatchResponse
    private let account: @Sendable (FerryV1.SubmitImportBatchResponse) -> Void

    /// Creates a pipeline.
    ///
    /// - Parameters:
    ///   - submit: Makes one SubmitImportBatch call.
    ///   - account: Counts a reply.
    init(
        submit: @escaping @Sendable ([FerryV1.ImportTask]) async throws -> FerryV1.SubmitImportBatchResponse,
        account: @escaping @Sendable (FerryV1.SubmitImportBatchResponse) -> Void
    ) {
        self.submit = submit
        self.account = account
    }

    /// Waits for the batch in flight, then starts sending `tasks`.
    func send(_ tasks: [FerryV1.ImportTask]) async throws {
        try await drain()
        guard !tasks.isEmpty else { return }
        try Task.checkCancellation()
        let submit = self.submit
        inflight.withLock { $0 = Task { try await submit(tasks) } }
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
