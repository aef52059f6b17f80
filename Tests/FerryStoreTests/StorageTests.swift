import FerryCore
import Testing

@testable import FerryStore

@Suite("Storages")
struct StorageTests {
    @Test("create, get, update, delete round trip; secrets are never returned and sealed at rest", arguments: StoreKind.allCases)
    func crudRoundTrip(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let settings = Fixture.settings(project: 7, title: "Raw images")
            let created = try await store.createStorage(
                kind: .import,
                settings: settings,
                secrets: Fixture.secrets,
                now: Fixture.t0
            )
            #expect(created.id > 0)
            #expect(created.revision == 1)
            #expect(created.syncInfo == .initial)
            #expect(created.secretNames == ["access_key_id", "secret_access_key"])
            #expect(created.settings == settings)

            let fetched = try await store.storage(id: created.id)
            #expect(fetched == created)
            #expect(try await store.secrets(of: created.id) == Fixture.secrets)

            let listed = try await store.listStorages(StorageQuery())
            #expect(listed.storages == [created])

            // Sealed at rest: no secret value appears anywhere in the files.
            let raw = try await store.bytesAtRest()
            for entry in Fixture.secrets.revealedEntries() {
                #expect(!raw.contains(subsequence: Array(entry.value.utf8)), "\(entry.name) is stored in plain text")
            }
            #expect(raw.contains(subsequence: Array("Raw images".utf8)))

            var changed = settings
            changed.title = "Renamed"
            changed.location = .s3(
                S3Location(bucket: "other", endpointURL: "https://minio.local:9000", forcePathStyle: true)
            )
            changed.syncInterval = .hours(1)
            let updated = try await store.updateStorage(
                id: created.id,
                settings: changed,
                secrets: .keep,
                expectedRevision: 1,
                now: Fixture.t0 + .seconds(1)
            )
            #expect(updated.revision == 2)
            #expect(updated.settings == changed)
            #expect(updated.updatedAt == Fixture.t0 + .seconds(1))
            #expect(updated.createdAt == Fixture.t0)
            #expect(try await store.storage(id: created.id) == updated)

            let deletion = try await store.deleteStorage(id: created.id, force: false)
            #expect(deletion.activeJobID == nil)
            await expectStoreError(.notFound) { _ = try await store.storage(id: created.id) }
            await expectStoreError(.notFound) { _ = try await store.secrets(of: created.id) }
            await expectStoreError(.notFound) { _ = try await store.deleteStorage(id: created.id, force: true) }
        }
    }

    @Test("every provider's location round-trips", arguments: StoreKind.allCases)
    func everyLocationRoundTrips(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let locations: [StorageLocation] = [
                .local(LocalLocation(path: "imports/a")),
                .s3(
                    S3Location(
                        bucket: "b",
                        region: "us-east-1",
                        endpointURL: "https://s3.local",
                        forcePathStyle: true,
                        sseKMSKeyID: "k"
                    )
                ),
                .gcs(GCSLocation(bucket: "g", project: "p", endpointURL: "http://127.0.0.1:4443")),
                .azureBlob(AzureBlobLocation(container: "c", accountName: "acct", endpointURL: "http://azurite:10000")),
                .redis(RedisLocation(host: "redis.local", port: 6380, database: 2, useTLS: true)),
            ]
            for location in locations {
                var settings = Fixture.settings(location: location)
                settings.datasetID = 42
                settings.presignTTL = nil
                let created = try await store.createStorage(
                    kind: .dataset,
                    settings: settings,
                    secrets: .none,
                    now: Fixture.t0
                )
                let fetched = try await store.storage(id: created.id)
                #expect(fetched.settings == settings)
                #expect(fetched.provider == location.provider)
                #expect(fetched.secretNames.isEmpty)
                #expect(try await store.secrets(of: created.id) == .none)
            }
        }
    }

    @Test("an update that omits secrets keeps them; merge and replace; revision conflicts; immutable fields", arguments: StoreKind.allCases)
    func updateSecretsAndRevision(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let created = try await Fixture.storage(store, secrets: Fixture.secrets)
            var settings = created.settings

            settings.title = "one"
            _ = try await store.updateStorage(
                id: created.id,
                settings: settings,
                secrets: .keep,
                expectedRevision: nil,
                now: Fixture.t0
            )
            #expect(try await store.secrets(of: created.id) == Fixture.secrets)

            settings.title = "two"
            _ = try await store.updateStorage(
                id: created.id,
                settings: settings,
                secrets: .merge(.none),
                expectedRevision: 2,
                now: Fixture.t0
            )
            #expect(try await store.secrets(of: created.id) == Fixture.secrets)

            let merged = try await store.updateStorage(
                id: created.id,
                settings: settings,
                secrets: .merge(StorageSecrets(["secret_access_key": "rotated", "session_token": "tok"])),
                expectedRevision: 3,
                now: Fixture.t0
            )
            #expect(merged.revision == 4)
            #expect(merged.secretNames == ["access_key_id", "secret_access_key", "session_token"])
            #expect(
                try await store.secrets(of: created.id)
                    == StorageSecrets([
                        "access_key_id": "AKIAPLAINTEXTKEY0001", "secret_access_key": "rotated", "session_token": "tok",
                    ])
            )

            let replaced = try await store.updateStorage(
                id: created.id,
                settings: settings,
                secrets: .replaceAll(.none),
                expectedRevision: 4,
                now: Fixture.t0
            )
            #expect(replaced.secretNames.isEmpty)
            #expect(try await store.secrets(of: created.id) == .none)

            // A stale revision is a conflict and changes nothing.
            settings.title = "stale"
            await expectStoreError(.conflict) {
                _ = try await store.updateStorage(
                    id: created.id,
                    settings: settings,
                    secrets: .keep,
                    expectedRevision: 4,
                    now: Fixture.t0
                )
            }
            #expect(try await store.storage(id: created.id).settings.title == "two")
            #expect(try await store.storage(id: created.id).revision == 5)

            var otherProject = settings
            otherProject.projectID = 99
            await expectStoreError(.invalidArgument) {
                _ = try await store.updateStorage(
                    id: created.id,
                    settings: otherProject,
                    secrets: .keep,
                    expectedRevision: nil,
                    now: Fixture.t0
                )
            }
            var otherProvider = settings
            otherProvider.location = .gcs(GCSLocation(bucket: "x"))
            await expectStoreError(.invalidArgument) {
                _ = try await store.updateStorage(
                    id: created.id,
                    settings: otherProvider,
                    secrets: .keep,
                    expectedRevision: nil,
                    now: Fixture.t0
                )
            }
            await expectStoreError(.notFound) {
                _ = try await store.updateStorage(
                    id: 12345,
                    settings: settings,
                    secrets: .keep,
                    expectedRevision: nil,
                    now: Fixture.t0
                )
            }
        }
    }

    @Test("sealed secrets copied onto another storage fail to open", arguments: StoreKind.allCases)
    func sealedSecretsAreBoundToTheirStorage(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = try await Fixture.storage(store, secrets: Fixture.secrets)
            let b = try await Fixture.storage(store, secrets: StorageSecrets(["access_key_id": "other"]))
            try await store.sqlExecute(
                "UPDATE storages SET secrets_sealed = (SELECT secrets_sealed FROM storages WHERE id = \(a.id)) WHERE id = \(b.id)"
            )
            await expectStoreError(.corrupt) { _ = try await store.secrets(of: b.id) }
            #expect(try await store.secrets(of: a.id) == Fixture.secrets)
        }
    }

    @Test("list filters, total count, and a cursor walk that returns every row exactly once", arguments: StoreKind.allCases)
    func listFiltersAndPagination(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let kinds: [StorageKind] = [.import, .export, .dataset]
            let locations: [StorageLocation] = [
                .s3(S3Location(bucket: "b")), .gcs(GCSLocation(bucket: "g")), .local(LocalLocation(path: "p")),
            ]
            var all: [Storage] = []
            for index in 0..<37 {
                all.append(
                    try await Fixture.storage(
                        store,
                        kind: kinds[index % 3],
                        project: Int64(1 + index % 2),
                        title: index % 5 == 0 ? "Special Bucket \(index)" : "plain \(index)",
                        location: locations[(index / 3) % 3]
                    )
                )
            }
            // Put two of them in motion.
            _ = try await store.startSync(storageID: all[4].id, options: .default, now: Fixture.t0, jobID: "j-4")
            _ = try await store.startSync(storageID: all[9].id, options: .default, now: Fixture.t0, jobID: "j-9")

            // Walk every page.
            var seen: [Int64] = []
            var cursor: StorageCursor?
            var pages = 0
            repeat {
                let page = try await store.listStorages(StorageQuery(pageSize: 5, cursor: cursor))
                #expect(page.totalCount == 37)
                #expect(page.storages.count <= 5)
                seen += page.storages.map(\.id)
                cursor = try page.nextCursor.map { try #require(StorageCursor(token: $0.token)) }
                pages += 1
            } while cursor != nil && pages < 100
            #expect(seen == all.map(\.id))
            #expect(pages == 8)

            func ids(_ query: StorageQuery) async throws -> [Int64] {
                try await store.listStorages(query).storages.map(\.id)
            }
            #expect(try await ids(StorageQuery(projectID: 2)) == all.filter { $0.settings.projectID == 2 }.map(\.id))
            #expect(try await ids(StorageQuery(kinds: [.export])) == all.filter { $0.kind == .export }.map(\.id))
            #expect(
                try await ids(StorageQuery(kinds: [.import, .dataset], providers: [.gcs]))
                    == all.filter { $0.kind != .export && $0.provider == .gcs }.map(\.id)
            )
            #expect(try await ids(StorageQuery(statuses: [.queued])) == [all[4].id, all[9].id])
            #expect(
                try await ids(StorageQuery(titleContains: "special bucket"))
                    == all.filter { $0.settings.title.hasPrefix("Special") }.map(\.id)
            )
            let filtered = try await store.listStorages(StorageQuery(projectID: 1, kinds: [.import], pageSize: 2))
            #expect(filtered.totalCount == Int64(all.filter { $0.settings.projectID == 1 && $0.kind == .import }.count))
            #expect(filtered.storages.count == 2)

            // Active storages carry their job observation; settled ones none.
            let page = try await store.listStorages(StorageQuery(statuses: [.queued, .completed]))
            #expect(page.jobObservations.count == 2)
            #expect(page.jobObservation(for: all[4].id) == .present(ObservedJob(jobID: "j-4", state: .queued)))

            #expect(StorageCursor(token: "garbage") == nil)
            #expect(StorageQuery(pageSize: 1_000_000).effectivePageSize == StorageQuery.maxPageSize)
            #expect(try await store.listStorages(StorageQuery(projectID: 404)).storages.isEmpty)
        }
    }

    @Test("deleting a storage with an active sync needs force, fences its job and keeps its tasks unlinked", arguments: StoreKind.allCases)
    func deleteWithActiveSync(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (storage, claim) = try await Fixture.runningJob(store)
            let imported = try await store.importTasks(
                lease: claim.lease,
                tasks: Fixture.tasks("k.json", rows: 2),
                checkpoint: nil,
                now: Fixture.t0
            )
            #expect(imported.inserted == 2)

            let refused = await expectStoreError(.failedPrecondition) {
                _ = try await store.deleteStorage(id: storage.id, force: false)
            }
            #expect(refused?.message.hasPrefix("Storage \(storage.id) has a sync in progress (job ") == true)
            #expect(try await store.storage(id: storage.id).syncInfo.status == .inProgress)

            let deletion = try await store.deleteStorage(id: storage.id, force: true)
            #expect(deletion.activeJobID == claim.job.id)
            #expect(deletion.unlinkedTasks == 2)
            #expect(try await store.job(id: claim.job.id) == nil)
            #expect(try await store.checkLease(claim.lease) == .unknown)
            await expectStoreError(.leaseNotCurrent) {
                _ = try await store.recordProgress(
                    lease: claim.lease,
                    counters: .zero,
                    checkpoint: nil,
                    now: Fixture.t0
                )
            }
            let tasks = try await store.listTasks(projectID: 1, storageID: nil, afterID: 0, limit: 10)
            #expect(tasks.count == 2)
            #expect(tasks.allSatisfy { $0.storageID == nil && $0.key == nil && $0.rowIndex == nil })
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= self.count else { return needle.isEmpty }
        let first = needle[0]
        var index = 0
        while index <= self.count - needle.count {
            if self[index] == first && Array(self[index..<(index + needle.count)]) == needle { return true }
            index += 1
        }
        return false
    }
}
