public import FerryCore
import NIOCore
import PostgresNIO

extension PostgresFerryStore {
    /// Creates a storage; see ``FerryStore/createStorage(kind:settings:secrets:now:)``.
    ///
    /// - Parameters:
    ///   - kind: What the storage is for.
    ///   - settings: Its settings.
    ///   - secrets: Its credentials, sealed before they are written.
    ///   - now: The creation time.
    /// - Returns: The stored storage.
    /// - Throws: ``StoreError``.
    public func createStorage(
        kind: StorageKind,
        settings: StorageSettings,
        secrets: StorageSecrets,
        now: FerryTime
    ) async throws -> Storage {
        let settingsJSON = try SettingsDocument.encode(settings)
        let secretsCoding = self.secretsCoding
        return try await self.session.write { transaction in
            guard
                let row = try await transaction.row(
                    """
                    INSERT INTO storages (kind, provider, project_id, title, settings, revision, created_at, updated_at)
                    VALUES (\(kind.rawValue), \(settings.provider.rawValue), \(settings.projectID), \(settings.title),
                        \(settingsJSON), 1, \(time: now), \(time: now))
                    RETURNING id
                    """
                )
            else {
                throw StoreError(code: .io, message: "Inserting a storage returned no id.")
            }
            let id = try row.int64("id")
            // The sealed secrets are bound to the id, which exists only after the insert.
            let sealed = try secretsCoding.seal(secrets, storageID: id)
            try await transaction.execute(
                """
                UPDATE storages SET secrets_sealed = \(bytes: sealed.sealed), secret_names = \(sealed.names)
                WHERE id = \(id)
                """
            )
            return Storage.inserted(id: id, kind: kind, settings: settings, secretNames: secrets.names, now: now)
        }
    }

    /// Reads a storage; see ``FerryStore/storage(id:)``.
    ///
    /// - Parameter id: The storage id.
    /// - Returns: The storage, without secret values.
    /// - Throws: ``StoreError/Code/notFound``.
    public func storage(id: Int64) async throws -> Storage {
        try await self.session.withConnection { connection in
            try await Self.fetchStorage(id: id, in: connection)
        }
    }

    /// Opens a storage's secrets; see ``FerryStore/secrets(of:)``.
    ///
    /// - Parameter storageID: The storage id.
    /// - Returns: The secrets.
    /// - Throws: ``StoreError/Code/notFound``; `.corrupt`.
    public func secrets(of storageID: Int64) async throws -> StorageSecrets {
        let sealed = try await self.session.withConnection { connection in
            guard
                let row = try await connection.row("SELECT secrets_sealed FROM storages WHERE id = \(storageID)")
            else {
                throw StoreError.notFound("Storage \(storageID) does not exist.")
            }
            return try row.optionalBytes("secrets_sealed")
        }
        return try self.secretsCoding.open(sealed, storageID: storageID)
    }

    /// Updates a storage; see ``FerryStore/updateStorage(id:settings:secrets:expectedRevision:now:)``.
    ///
    /// The row is read `FOR UPDATE`, so the revision check and the write are one step.
    ///
    /// - Parameters:
    ///   - id: The storage id.
    ///   - settings: The complete new settings.
    ///   - secrets: How to treat the stored secrets.
    ///   - expectedRevision: The revision the caller read; `nil` for no check.
    ///   - now: The update time.
    /// - Returns: The updated storage.
    /// - Throws: ``StoreError/Code/notFound``, ``StoreError/Code/conflict``,
    ///   ``StoreError/Code/invalidArgument``.
    public func updateStorage(
        id: Int64,
        settings: StorageSettings,
        secrets: SecretsUpdate,
        expectedRevision: Int64?,
        now: FerryTime
    ) async throws -> Storage {
        let settingsJSON = try SettingsDocument.encode(settings)
        let secretsCoding = self.secretsCoding
        return try await self.session.write { transaction in
            guard
                let row = try await transaction.row(
                    "SELECT project_id, provider, revision, secrets_sealed FROM storages WHERE id = \(id) FOR UPDATE"
                )
            else {
                throw StoreError.notFound("Storage \(id) does not exist.")
            }
            let revision = try row.int64("revision")
            if let expectedRevision, expectedRevision != revision {
                throw StoreError(
                    code: .conflict,
                    message: "Storage \(id) is at revision \(revision), not \(expectedRevision); read it again."
                )
            }
            guard settings.projectID == (try row.int64("project_id")) else {
                throw StoreError.invalidArgument("The project of storage \(id) cannot change after creation.")
            }
            guard settings.provider.rawValue == (try row.string("provider")) else {
                throw StoreError.invalidArgument("The provider of storage \(id) cannot change after creation.")
            }
            var update = PostgresQuery.Builder("UPDATE storages SET settings = ")
            update.bind(settingsJSON)
            update.sql(", title = ")
            update.bind(settings.title)
            update.sql(", revision = revision + 1, updated_at = ")
            update.bind(now.unixMicroseconds)
            let stored = try row.optionalBytes("secrets_sealed")
            if let newSecrets = try secretsCoding.resolve(secrets, stored: stored, storageID: id) {
                let sealed = try secretsCoding.seal(newSecrets, storageID: id)
                update.sql(", secrets_sealed = ")
                update.bind(sealed.sealed.map { ByteBuffer(bytes: $0) } as ByteBuffer?)
                update.sql(", secret_names = ")
                update.bind(sealed.names)
            }
            update.sql(" WHERE id = ")
            update.bind(id)
            try await transaction.execute(update.query)
            return try await Self.fetchStorage(id: id, in: transaction)
        }
    }

    /// Deletes a storage; see ``FerryStore/deleteStorage(id:force:)``.
    ///
    /// - Parameters:
    ///   - id: The storage id.
    ///   - force: Delete even while a sync is active.
    /// - Returns: What was removed.
    /// - Throws: ``StoreError/Code/notFound``, ``StoreError/Code/failedPrecondition``.
    public func deleteStorage(id: Int64, force: Bool) async throws -> StorageDeletion {
        try await self.session.write { transaction in
            guard
                let row = try await transaction.row(
                    "SELECT status, last_sync_job FROM storages WHERE id = \(id) FOR UPDATE"
                )
            else {
                throw StoreError.notFound("Storage \(id) does not exist.")
            }
            let status = try row.rawEnum("status", as: SyncStatus.self)
            let activeJobID = status.isActive ? try row.optionalString("last_sync_job") : nil
            if status.isActive && !force {
                throw StoreError(
                    code: .failedPrecondition,
                    message: "Storage \(id) has a sync \(status.words) (job \(activeJobID ?? "unknown")); "
                        + "cancel it first, or delete with force."
                )
            }
            // Unlink the tasks (they stay in their project), drop the jobs (fencing any worker
            // still running one), then the storage with its sealed secrets.
            let unlinked = try await transaction.row(
                """
                WITH unlinked AS (
                    UPDATE tasks SET storage_id = NULL, key = NULL, row_index = NULL WHERE storage_id = \(id)
                    RETURNING 1
                )
                SELECT COUNT(*) AS count FROM unlinked
                """
            )?.int64("count") ?? 0
            try await transaction.execute("DELETE FROM jobs WHERE storage_id = \(id)")
            try await transaction.execute("DELETE FROM storages WHERE id = \(id)")
            if let activeJobID { try await transaction.announce(.jobEnded(jobID: activeJobID)) }
            return StorageDeletion(storageID: id, activeJobID: activeJobID, unlinkedTasks: unlinked)
        }
    }

    /// Reads one storage row in a transaction or on a leased connection.
    static func fetchStorage(id: Int64, in transaction: PostgresTransaction) async throws -> Storage {
        guard
            let row = try await transaction.row(
                "SELECT \(unescaped: StorageColumns.select) FROM storages s WHERE s.id = \(id)"
            )
        else {
            throw StoreError.notFound("Storage \(id) does not exist.")
        }
        return try StorageColumns.storage(from: row)
    }
}
