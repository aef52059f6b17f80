public import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
    /// Records a worker's new process instance; see
    /// ``FerryStore/registerWorkerInstance(workerID:instanceID:now:)``.
    ///
    /// - Parameters:
    ///   - workerID: The worker's stable id.
    ///   - instanceID: The new process's id.
    ///   - now: The server's current time.
    /// - Returns: The ids of the jobs a previous instance held, now `lost`, sorted.
    /// - Throws: ``StoreError``.
    public func registerWorkerInstance(workerID: String, instanceID: String, now: FerryTime) async throws -> [String] {
        guard !workerID.isEmpty, !instanceID.isEmpty else {
            throw StoreError.invalidArgument("Registering a worker needs a worker id and an instance id.")
        }
        return try await self.writer.write { transaction in
            try await transaction.execute(
                """
                INSERT INTO workers (worker_id, current_instance_id, registered_at, last_seen_at)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (worker_id) DO UPDATE SET
                    registered_at = CASE WHEN current_instance_id = excluded.current_instance_id
                        THEN registered_at ELSE excluded.registered_at END,
                    current_instance_id = excluded.current_instance_id,
                    last_seen_at = excluded.last_seen_at
                """,
                [.text(workerID), .text(instanceID), .time(now), .time(now)]
            )
            // Any job still running under another instance of this worker id lost its process.
            let lost = try await transaction.rows(
                """
                UPDATE jobs SET state = 'lost', finished_at = ?
                WHERE worker_id = ? AND state = 'running' AND instance_id IS NOT ?
                RETURNING id
                """,
                [.time(now), .text(workerID), .text(instanceID)]
            )
            return try lost.map { try $0.string("id") }.sorted()
        }
    }

    /// Refuses a claim by an instance that is no longer its worker's current one. An unknown worker
    /// passes (the claim registers it).
    static func checkNotSuperseded(
        workerID: String,
        instanceID: String,
        in transaction: SQLiteTransaction
    ) async throws {
        let row = try await transaction.row(
            "SELECT current_instance_id FROM workers WHERE worker_id = ?",
            [.text(workerID)]
        )
        guard let current = try row?.string("current_instance_id"), current != instanceID else { return }
        throw StoreError(
            code: .failedPrecondition,
            message: "Instance \(instanceID) of worker \(workerID) was superseded by instance \(current); "
                + "it may not claim jobs."
        )
    }
}
