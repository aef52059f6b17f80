import FerryProto
import FerryProviders
import FerryWorker
import Foundation
import Testing

/// Objects in the annotation platform's task format import as those tasks, through a real
/// in-process server and the worker's job runner; a platform field of the wrong shape is an
/// item error naming it, and the rest of the sync goes on.
@Suite(.timeLimit(.minutes(2)))
struct PlatformTaskFormatImportTests {
    @Test func aDataObjectBecomesTheTaskAndItsMetaAndPredictionsComeBackWithIt() async throws {
        try await FerryTestServer.with { server in
            let storage = try await server.localImportStorage(path: "platform")
            let file = #"""
                [{"data":{"text":"one"},"meta":{"batch":7},"predictions":[{"model":"m1","result":[]}]},
                 {"text":"plain"},
                 {"data":{"text":"bad meta"},"meta":[1]}]
                """#
            try Data(file.utf8).write(to: URL(fileURLWithPath: server.localFilesRoot + "/platform/tasks.json"))
            let job = try await server.startAndClaim(storage, instance: "platform-1")
            try await server.runJob(
                job, instance: "platform-1",
                stores: JobStores(registry: .standard(ProviderContext(localFilesRoot: server.localFilesRoot))).store(for:))

            let listed = try await server.withClient(.admin) { try await $0.listed(storage) }
            #expect(listed.sync?.status == .completedWithErrors)
            #expect(listed.sync?.traceback.contains("tasks.json (row 2): Task meta is not a JSON object") == true, "\(listed.sync?.traceback ?? "")")
            let tasks = try await server.withClient(.admin) { try await $0.listTasks(projectID: 5) }
            #expect(tasks.count == 2)
            let platform = try #require(tasks.first { $0.sources.first?.rowIndex == 0 })
            #expect(platform.dataJSON == #"{"text":"one"}"#)
            #expect(platform.metaJSON == #"{"batch":7}"#)
            #expect(platform.predictionsJSON == #"[{"model":"m1","result":[]}]"#)
            #expect(platform.importedAnnotationsJSON.isEmpty)
            let plain = try #require(tasks.first { $0.sources.first?.rowIndex == 1 })
            #expect(plain.dataJSON == #"{"text":"plain"}"#)
            #expect(plain.metaJSON.isEmpty)
        }
    }
}
