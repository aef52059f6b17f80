public import FerryCore
import PostgresNIO

extension PostgresFerryStore {
    /// Records a worker's new process instance; see
    /// ``FerryStore/registerWorkerInstance(workerID:instanceID:now:)``.
    ///
    /// The upsert locks the worker's row first, so a claim by the old instance either committed
    /// before (and its job is marked lost here) or waits and is then refused as superseded.
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
        return try await self.session.write { transaction in
            try await transaction.execute(
                """
                INSERT INTO workers (worker_id, current_instance_id, registered_at, last_seen_at)
                VALUES (\(workerID), \(instanceID), \(time: now), \(time: now))
                ON CONFLICT (worker_id) DO UPDATE SET
                    registered_at = CASE WHEN workers.current_instance_id = excluded.current_instance_id
                        THEN workers.registered_at ELSE excluded.registered_at END,
                    current_instance_id = excluded.current_instance_id,
                    last_seen_at = excluded.last_seen_at
                """
            )
            // Any job still running under another instance of this worker id lost its process.
            let lost = try await transaction.rows(
                """
                UPDATE jobs SET state = 'lost', finished_at = \(time: now)
                WHERE worker_id = \(workerID) AND state = 'running' AND instance_id IS DISTINCT FROM \(instanceID)
                RETURNING id
                """
            )
            let ids = try lost.map { try $0.string("id") }.sorted()
            for id in ids { try await transaction.announce(.jobEnded(jobID: id)) }
            return ids
        }
    }
}
