import FerryCore

/// How an annotation row reads, in both stores.
extension AnnotationRecord {
    /// The select list of an annotation from table alias `a`.
    static let select = "a.id, a.task_id, a.result, a.completed_by, a.created_at, a.updated_at"

    /// Decodes a row selected with ``select``.
    init(row: some StoredRow) throws {
        self.init(
            id: try row.int64("id"), taskID: try row.int64("task_id"), resultJSON: try row.string("result"),
            completedBy: try row.string("completed_by"), createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at"))
    }
}
