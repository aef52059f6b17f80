import FerryCore
import FerryProto
import FerryProviders
import Foundation
import Testing

/// What the export end-to-end tests share: tasks imported from local files, annotations put
/// through the API, and a look at what a location holds through Ferry's own provider clients.
enum ExportFixture {
    typealias Methods = FerryV1.Methods.StorageService

    /// The platform id the tests give a task's one annotation.
    static func annotationID(of task: Int64) -> Int64 { 1_000_000 + task }

    /// Imports `count` local task files and starts the worker; returns the task ids, ascending.
    static func importedTasks(_ world: World, count: Int) async throws -> [Int64] {
        let source = try await world.storage(files: count, path: "source")
        try world.worker.start()
        let imported = try await world.sync(source, until: [.completed, .failed])
        #expect(imported.sync?.status == .completed, "\(imported.sync?.traceback ?? "")")
        return try await world.admin { try await $0.listTasks(projectID: World.projectID) }.map(\.id).sorted()
    }

    /// A task's one annotation, labelled `label`, at version `updated`.
    static func annotation(task: Int64, label: String, updated: Int64) -> FerryV1.AnnotationInput {
        FerryV1.AnnotationInput(
            taskID: task, annotationID: annotationID(of: task), resultJSON: #"[{"value":{"choices":["\#(label)"]}}]"#,
            completedBy: "annotator@example.com", createdUnixMicros: 1_700_000_000_000_000, updatedUnixMicros: updated)
    }

    /// PutAnnotations, 1,000 at a time.
    @discardableResult
    static func put(_ world: World, _ inputs: [FerryV1.AnnotationInput]) async throws -> FerryV1.PutAnnotationsResponse {
        var merged = FerryV1.PutAnnotationsResponse()
        for start in stride(from: 0, to: inputs.count, by: 1_000) {
            let chunk = Array(inputs[start..<min(start + 1_000, inputs.count)])
            let reply = try await world.admin {
                try await $0.unary(
                    Methods.putAnnotations, FerryV1.PutAnnotationsRequest(projectID: World.projectID, annotations: chunk),
                    as: FerryV1.PutAnnotationsResponse.self)
            }
            merged.annotations += reply.annotations
            merged.unchanged += reply.unchanged
        }
        return merged
    }

    /// DeleteAnnotations of the tasks' annotations.
    static func deleteAnnotations(_ world: World, ofTasks tasks: [Int64]) async throws -> Int64 {
        try await world.admin {
            try await $0.unary(
                Methods.deleteAnnotations,
                FerryV1.DeleteAnnotationsRequest(projectID: World.projectID, annotationIDs: tasks.map(annotationID)),
                as: FerryV1.DeleteAnnotationsResponse.self
            ).deleted
        }
    }

    /// Every key under a location's prefix, through the provider client a worker uses.
    static func keys(_ target: ProviderTarget) async throws -> Set<String> {
        let lister = try store(target).makeLister()
        var keys = Set<String>()
        while let page = try await lister.next(maxCount: 1_000) { keys.formUnion(page.map(\.key)) }
        return keys
    }

    /// One object's JSON.
    static func object(_ target: ProviderTarget, key: String) async throws -> [String: Any] {
        let bytes = try #require(try await store(target).read([key]).first).bytes
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    private static func store(_ target: ProviderTarget) throws -> any ObjectStore {
        try ProviderRegistry.standard(ProviderContext(localFilesRoot: nil)).store(for: target)
    }
}
