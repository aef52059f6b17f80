public import FerryCore

extension PostgresFerryStore {
    /// StartSync, single-flight; see ``FerryStore/startSync(storageID:options:now:jobID:)``.
    ///
    /// The storage row is locked (`FOR UPDATE`) before the status machine decides, so of any
    /// number of concurrent calls, from any number of server processes, exactly one sees a
    /// settled storage; the others wait for its commit and answer with its job.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - options: The sync options.
    ///   - now: The server's current time.
    ///   - jobID: The id for a new job.
    /// - Returns: The new job, or the job already there.
    /// - Throws: ``StoreError/Code/notFound``, ``StoreError/Code/conflict``.
    public func startSync(
        storageID: Int64,
        options: SyncOptions,
        now: FerryTime,
        jobID: String
    ) async throws -> StartSyncResult {
        try await self.ledgerWrite { rows in
            try await SyncLedger.startSync(storageID: storageID, options: options, now: now, jobID: jobID, in: rows)
        }
    }

    /// Persists a termination verdict once; see
    /// ``FerryStore/applyVerdict(storageID:expectedJobID:newInfo:)``.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - expectedJobID: The job the verdict is about.
    ///   - newInfo: The settled sync state.
    /// - Returns: Whether this call wrote the verdict.
    /// - Throws: ``StoreError/Code/invalidArgument``.
    public func applyVerdict(storageID: Int64, expectedJobID: String, newInfo: SyncInfo) async throws -> Bool {
        try SyncLedger.validateVerdict(expectedJobID: expectedJobID, newInfo: newInfo)
        return try await self.ledgerWrite { rows in
            try await SyncLedger.applyVerdict(storageID: storageID, expectedJobID: expectedJobID, newInfo: newInfo, in: rows)
        }
    }

    /// CancelSync; see ``FerryStore/requestCancel(storageID:reason:now:)``.
    ///
    /// - Parameters:
    ///   - storageID: The storage.
    ///   - reason: Why, as the caller said.
    ///   - now: The server's current time.
    /// - Returns: The job asked to stop, if any.
    /// - Throws: ``StoreError/Code/notFound``.
    public func requestCancel(storageID: Int64, reason: String?, now: FerryTime) async throws -> CancelResult {
        try await self.ledgerWrite { rows in
            try await SyncLedger.requestCancel(storageID: storageID, reason: reason, now: now, in: rows)
        }
    }
}
