import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// A queued sync that no connected worker can run says so at once, and its QUEUE_TIMEOUT names
/// what was missing.
@Suite(.timeLimit(.minutes(3)))
struct WaitingReasonTests {
    @Test func ferryctlShowsWhyAQueuedSyncWaitsAndAWorkerThatCanRunItClearsIt() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 10, workerKinds: "import")
        defer { world.cleanUp() }
        let imports = try await world.storage(files: 3)
        try FileManager.default.createDirectory(atPath: world.daemon.localFilesRoot + "/out", withIntermediateDirectories: true)
        let exports = try await world.admin { admin in
            try #require(
                try await admin.createStorage(
                    FerryV1.CreateStorageRequest(
                        spec: FerryV1.StorageSpec(
                            projectID: World.projectID, title: "out", kind: .export, provider: .local, synchronizable: true,
                            local: FerryV1.LocalLocation(path: "out")))
                ).storage
            ).id
        }

        // No worker yet: the import waits for one, and the first list call says so.
        _ = try await world.admin { try await $0.startSync(imports) }
        let before = try await world.ferryctl(["storage", "list", "-o", "wide"])
        #expect(before.contains("waiting: no connected worker offers local import"), "\(before)")

        // A worker that offers local import runs it; the export (which it does not offer) waits.
        try world.worker.start()
        try await world.expectCompletes(imports, files: 3)
        _ = try await world.admin { try await $0.startSync(exports) }
        let after = try await world.ferryctl(["storage", "list", "-o", "wide"])
        let lines = after.split(separator: "\n")
        let exportLine = try #require(lines.first { $0.hasPrefix("\(exports) ") }, "\(after)")
        let importLine = try #require(lines.first { $0.hasPrefix("\(imports) ") }, "\(after)")
        #expect(exportLine.contains("waiting: no connected worker offers local export"), "\(after)")
        #expect(!importLine.contains("waiting"), "\(after)")
    }

    @Test func aQueueTimeoutNamesTheCapabilityNoWorkerOffered() async throws {
        try await FerryTestServer.with(policy: FerryTestServer.policy) { server in
            try await server.withClient(.admin) { admin in
                let storage = try await FerryServerIntegrationTests.createS3(admin)
                let started = try await admin.startSync(storage.id)
                #expect(started.sync?.waitingReason == "no connected worker offers s3 import")
                #expect(try await admin.listed(storage.id).sync?.waitingReason == "no connected worker offers s3 import")
                #expect(
                    try await waitUntil(timeout: .seconds(20), every: .milliseconds(100)) {
                        try await admin.listed(storage.id).sync?.status == .failed
                    })
                let failed = try await admin.listed(storage.id)
                #expect(failed.sync?.meta?.terminationReason == .queueTimeout)
                #expect(failed.sync?.waitingReason == "", "only a queued sync waits")
                let traceback = failed.sync?.traceback ?? ""
                #expect(traceback.contains("\n  waiting:      no connected worker offers s3 import\n"), "\(traceback)")
            }
        }
    }
}
