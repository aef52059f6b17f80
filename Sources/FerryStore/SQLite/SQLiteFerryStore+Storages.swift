public import FerryCore
import SQLiteNIO

extension SQLiteFerryStore {
    var secretsCoding: SecretsCoding {
        SecretsCoding(sealer: self.sealer)
    }

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
        return try await self.writer.write { transaction in
            guard
                let row = try await transaction.row(
                    """
                    INSERT INTO storages (kind, provider, project_id, title, settings, revision, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                    RETURNING id
                    """,
                    [
                        .text(kind.rawValue), .text(settings.provider.rawValue), .int64(settings.projectID),
                        .text(settings.title), .text(settingsJSON), .time(now), .time(now),
                    ]
                )
            else {
                throw StoreError(code: .io, message: "Inserting a storage returned no id.")
            }
            let id = try row.int64("id")
            // The sealed secrets are bound to the id, which exists only after the insert.
            let sealed = try self.secretsCoding.seal(secrets, storageID: id)
            try await transaction.execute(
                "UPDATE storages SET secrets_sealed = ?, secret_names = ? WHERE id = ?",
                [.bytes(sealed.sealed), .text(sealed.names), .int64(id)]
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
        try await self.reader.withConnection { connection in
            try await Self.fetchStorage(id: id, in: connection)
        }
    }

    /// Opens a storage's secrets; see ``FerryStore/secrets(of:)``.
    ///
    /// - Parameter storageID: The storage id.
    /// - Returns: The secrets.
    /// - Throws: ``StoreError/Code/notFound``; `.corrupt`.
    public func secrets(of storageID: Int64) async throws -> StorageSecrets {
        let sealed = try await self.reader.withConnection { connection in
            guard
                let row = try await connection.row(
                    "SELECT secrets_sealed FROM storages WHERE id = ?",
                    [.int64(storageID)]
                )
            else {
                throw StoreError.notFound("Storage \(storageID) does not exist.")
            }
            return try row.optionalBytes("secrets_sealed")
        }
        return try self.secretsCoding.open(sealed, storageID: storageID)
    }

    /// Updates a storage; see ``FerryStore/updateStorage(id:settings:secrets:expectedRevision:now:)``.
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
        return try await self.writer.write { transaction in
            guard
                let row = try await transaction.row(
                    "SELECT project_id, provider, revision, secrets_sealed FROM storages WHERE id = ?",
                    [.int64(id)]
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
            let projectID = try row.int64("project_id")
            guard settings.projectID == projectID else {
                throw StoreError.invalidArgument("The project of storage \(id) cannot change after creation.")
            }
            let provider = try row.string("provider")
            guard settings.provider.rawValue == provider else {
                throw StoreError.invalidArgument("The provider of storage \(id) cannot change after creation.")
            }

            var assignments = "settings = ?, title = ?, revision = revision + 1, updated_at = ?"
            var binds: [SQLiteData] = [.text(settingsJSON), .text(settings.title), .time(now)]
            if let newSecrets = try self.secretsCoding.resolve(
                secrets,
                stored: try row.optionalBytes("secrets_sealed"),
                storageID: id
            ) {
                let sealed = try self.secretsCoding.seal(newSecrets, storageID: id)
                assignments += ", secrets_sealed = ?, secret_names = ?"
                binds += [.bytes(sealed.sealed), .text(sealed.names)]
            }
            try await transaction.execute("UPDATE storages SET \(assignments) WHERE id = ?", binds + [.int64(id)])
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
        try await self.writer.write { transaction in
            guard
                let row = try await transaction.row(
                    "SELECT status, last_sync_job FROM storages WHERE id = ?",
                    [.int64(id)]
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
            try await transaction.execute(
                "UPDATE tasks SET storage_id = NULL, key = NULL, row_index = NULL WHERE storage_id = ?",
                [.int64(id)]
            )
            let unlinked = try await transaction.row("SELECT changes() AS count")?.int64("count") ?? 0
            try await transaction.execute("DELETE FROM jobs WHERE storage_id = ?", [.int64(id)])
            try await transaction.execute("DELETE FROM storages WHERE id = ?", [.int64(id)])
            return StorageDeletion(storageID: id, activeJobID: activeJobID, unlinkedTasks: unlinked)
        }
    }

    /// Reads one storage row on an open connection or transaction.
    static func fetchStorage(id: Int64, in transaction: SQLiteTransaction) async throws -> Storage {
        guard
            let row = try await transaction.row(
                "SELECT \(StorageColumns.select) FROM storages s WHERE s.id = ?",
                [.int64(id)]
            )
        else {
            throw StoreError.notFound("Storage \(id) does not exist.")
        }
        return try StorageColumns.storage(from: row)
    }
}
