import FerryCore
import FerryProto
import FerryRPC
import FerryStore
import Foundation

extension WorkerService {
    /// The most keys or tasks one batch may carry.
    static let maxBatch = 5_000

    /// Which of the keys a worker is about to read have no tasks yet, so it reads only those.
    @Sendable
    func checkKeys(_ request: FerryV1.CheckImportKeysRequest, _ context: ServerContext) async throws
        -> FerryV1.CheckImportKeysResponse
    {
        guard request.keys.count <= Self.maxBatch else {
            throw RPCError(code: .invalidArgument, message: "keys: at most \(Self.maxBatch) per call")
        }
        let fresh = try await withLease(request.lease) { lease, _ in
            try await store.newImportKeys(lease: lease, keys: request.keys)
        }
        return FerryV1.CheckImportKeysResponse(
            newKeys: fresh,
            existingCount: Int64(Set(request.keys).count - fresh.count)
        )
    }

    /// Parsed tasks: each must be a JSON object; links dedupe atomically on (storage, key, row).
    @Sendable
    func submit(_ request: FerryV1.SubmitImportBatchRequest, _ context: ServerContext) async throws
        -> FerryV1.SubmitImportBatchResponse
    {
        guard request.tasks.count <= Self.maxBatch else {
            throw RPCError(code: .invalidArgument, message: "tasks: at most \(Self.maxBatch) per call")
        }
        var valid: [NewTask] = []
        var invalid: [FerryV1.ItemError] = []
        for task in request.tasks {
            if let problem = Self.problem(with: task) {
                invalid.append(FerryV1.ItemError(key: task.key, rowIndex: task.rowIndex, message: problem))
            } else {
                let fields = TaskPlatformFields(
                    meta: task.metaJSON.isEmpty ? nil : task.metaJSON,
                    predictions: task.predictionsJSON.isEmpty ? nil : task.predictionsJSON,
                    annotations: task.annotationsJSON.isEmpty ? nil : task.annotationsJSON)
                valid.append(NewTask(key: task.key, rowIndex: task.rowIndex, data: task.dataJSON, platformFields: fields))
            }
        }
        let result = try await withLease(request.lease) { lease, now in
            try await store.importTasks(
                lease: lease,
                tasks: valid,
                partialKeys: Set(request.partialKeys),
                checkpoint: request.checkpoint.map { SyncCheckpoint($0, now: now) },
                now: now
            )
        }
        return FerryV1.SubmitImportBatchResponse(
            created: result.created.map { FerryV1.TaskLink(key: $0.key, rowIndex: $0.rowIndex, taskID: $0.taskID) },
            existed: result.existed.map { FerryV1.TaskLink(key: $0.key, rowIndex: $0.rowIndex, taskID: $0.taskID) },
            failedValidation: invalid
        )
    }

    /// Why a task cannot be stored: its data is not a JSON object, or a platform-format field is
    /// not the JSON shape it must have; `nil` when it is fine.
    private static func problem(with task: FerryV1.ImportTask) -> String? {
        guard isJSON(task.dataJSON, object: true) else { return "Task data is not a JSON object" }
        if !task.metaJSON.isEmpty, !isJSON(task.metaJSON, object: true) { return "Task meta is not a JSON object" }
        if !task.predictionsJSON.isEmpty, !isJSON(task.predictionsJSON, object: false) {
            return "Task predictions are not a JSON list"
        }
        if !task.annotationsJSON.isEmpty, !isJSON(task.annotationsJSON, object: false) {
            return "Task annotations are not a JSON list"
        }
        return nil
    }

    /// Whether `text` is a JSON object (`object`) or a JSON list.
    private static func isJSON(_ text: String, object: Bool) -> Bool {
        guard let data = text.data(using: .utf8),
            let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return false }
        return object ? value is [String: Any] : value is [Any]
    }
}
