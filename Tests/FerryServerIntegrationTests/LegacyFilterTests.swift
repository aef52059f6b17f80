import FerryProviders
import FerryCore
import FerryProto
import FerryServices
import FerryStore
import FerryWorker
import Foundation
import Testing

/// A storage saved before `regex_filter` was checked for backtracking constructs cannot wedge
/// a worker: the worker compiles the filter with the same linear-time engine, and the sync fails
/// at once with the construct named.
@Suite(.timeLimit(.minutes(2)))
struct LegacyFilterTests {
    @Test func aBackreferenceSavedBeforeValidationFailsTheSyncNamingIt() async throws {
        try await FerryTestServer.with { server in
            let storage = try await server.localImportStorage(path: "legacy")
            try Data(#"{"text":"a"}"#.utf8).write(to: URL(fileURLWithPath: server.localFilesRoot + "/legacy/a.json"))
            // The row as an older server stored it: written to the store past the validator.
            var settings = try await server.store.storage(id: storage).settings
            settings.regexFilter = #"(a+)\1+$"#
            _ = try await server.store.updateStorage(
                id: storage, settings: settings, secrets: .keep, expectedRevision: nil, now: SystemClock().now())
            let job = try await server.startAndClaim(storage, instance: "legacy-1")

            try await server.runJob(job, instance: "legacy-1", stores: JobStores(registry: .standard(ProviderContext(localFilesRoot: server.localFilesRoot))).store(for:))

            let failed = try await server.withClient(.admin) { try await $0.listed(storage) }
            #expect(failed.sync?.status == .failed)
            let traceback = failed.sync?.traceback ?? ""
            #expect(traceback.contains("regex_filter"), "\(traceback)")
            #expect(traceback.contains("backreferences"), "\(traceback)")
        }
    }
}
