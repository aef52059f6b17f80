import FerryCore
import FerryProto
import FerryRPC
import FerryStore
import Foundation

extension StorageService {
    /// The most annotations one PutAnnotations or DeleteAnnotations carries.
    static let maxAnnotationsPerCall = 1_000

    /// Creates or replaces annotations under the platform's ids; then export-on-change storages
    /// of the project follow.
    @Sendable
    func putAnnotations(_ request: FerryV1.PutAnnotationsRequest, _ context: ServerContext) async throws
        -> FerryV1.PutAnnotationsResponse
    {
        try Self.checkAnnotationCall(projectID: request.projectID, count: request.annotations.count)
        let now = clock.now()
        var seen = Set<Int64>()
        let writes = try request.annotations.enumerated().map { index, input in
            guard seen.insert(input.annotationID).inserted else {
                throw RPCError(
                    code: .invalidArgument, message: "annotations[\(index)]: id \(input.annotationID) appears twice")
            }
            return try Self.write(input, index: index, now: now)
        }
        let result = try await store.putAnnotations(projectID: request.projectID, writes)
        await exportFollower.changed(result.exportOnChange)
        return FerryV1.PutAnnotationsResponse(annotations: result.stored.map(\.proto), unchanged: Int64(result.unchanged))
    }

    /// Deletes annotations; export storages rewrite or delete their objects on their next sync.
    @Sendable
    func deleteAnnotations(_ request: FerryV1.DeleteAnnotationsRequest, _ context: ServerContext) async throws
        -> FerryV1.DeleteAnnotationsResponse
    {
        try Self.checkAnnotationCall(projectID: request.projectID, count: request.annotationIDs.count)
        if let index = request.annotationIDs.firstIndex(where: { $0 <= 0 }) {
            throw RPCError(code: .invalidArgument, message: "annotation_ids[\(index)]: must be a positive id")
        }
        let result = try await store.deleteAnnotations(
            projectID: request.projectID, ids: request.annotationIDs, now: clock.now())
        await exportFollower.changed(result.exportOnChange)
        return FerryV1.DeleteAnnotationsResponse(deleted: result.deleted)
    }

    private static func checkAnnotationCall(projectID: Int64, count: Int) throws {
        guard projectID > 0 else { throw RPCError(code: .invalidArgument, message: "project_id: required") }
        guard (1...maxAnnotationsPerCall).contains(count) else {
            throw RPCError(
                code: .invalidArgument, message: "annotations: between 1 and \(maxAnnotationsPerCall) per call, not \(count)")
        }
    }

    /// A validated input, with the server's clock for times not given.
    private static func write(_ input: FerryV1.AnnotationInput, index: Int, now: FerryTime) throws -> AnnotationWrite {
        func refuse(_ message: String) -> RPCError {
            RPCError(code: .invalidArgument, message: "annotations[\(index)] (id \(input.annotationID)): \(message)")
        }
        guard input.annotationID > 0 else { throw refuse("annotation_id: must be the platform's positive id") }
        guard input.taskID > 0 else { throw refuse("task_id: required") }
        guard input.createdUnixMicros >= 0, input.updatedUnixMicros >= 0 else { throw refuse("times: must not be negative") }
        guard let data = input.resultJSON.data(using: .utf8),
            let result = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
            result is [Any] || result is [String: Any]
        else { throw refuse("result_json: must be a JSON list or object") }
        let updated = input.updatedUnixMicros > 0 ? FerryTime(unixMicroseconds: input.updatedUnixMicros) : now
        let created = input.createdUnixMicros > 0 ? FerryTime(unixMicroseconds: input.createdUnixMicros) : updated
        return AnnotationWrite(
            id: input.annotationID, taskID: input.taskID, resultJSON: input.resultJSON, completedBy: input.completedBy,
            createdAt: created, updatedAt: updated)
    }
}

extension AnnotationRecord {
    /// The wire form.
    var proto: FerryV1.Annotation {
        FerryV1.Annotation(
            id: id, taskID: taskID, resultJSON: resultJSON, completedBy: completedBy,
            createdUnixMicros: createdAt.unixMicroseconds, updatedUnixMicros: updatedAt.unixMicroseconds)
    }
}
