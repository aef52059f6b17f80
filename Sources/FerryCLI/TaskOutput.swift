public import FerryProto

/// How `ferryctl tasks list` shows tasks.
public enum TaskOutput {
    /// Columns ID PROJECT SOURCE ANNOTATIONS DATA (wide: full data, otherwise cut at 60 characters).
    public static func table(_ tasks: [FerryV1.Task], wide: Bool) -> Table {
        Table(
            headers: ["ID", "PROJECT", "SOURCE", "ANNOTATIONS", "DATA"],
            rows: tasks.map { task in
                let source = task.sources.first.map { source in
                    source.rowIndex > 0 ? "\(source.key)#\(source.rowIndex)" : source.key
                } ?? ""
                // One line: pretty-printed task files lose their line breaks and indentation.
                var data = task.dataJSON.split(whereSeparator: \.isNewline)
                    .map { $0.drop(while: \.isWhitespace) }.joined(separator: " ")
                if !wide, data.count > 60 { data = String(data.prefix(57)) + "..." }
                return [String(task.id), String(task.projectID), source, String(task.annotationCount), data]
            }
        )
    }

    /// The JSON object for one task: every field, the JSON-text ones (`data_json`, `meta_json`,
    /// `predictions_json`, `imported_annotations_json`) embedded as JSON under their names without
    /// `_json` (``JSON/embedded(_:)``), instants as RFC 3339 strings without `_unix_micros`.
    public static func jsonObject(_ task: FerryV1.Task) -> [String: Any] {
        [
            "id": task.id,
            "project_id": task.projectID,
            "data": JSON.embedded(task.dataJSON),
            "sources": task.sources.map { ["storage_id": $0.storageID, "key": $0.key, "row_index": $0.rowIndex] },
            "annotations": task.annotations.map(annotationObject),
            "annotation_count": Int(task.annotationCount),
            "created": JSON.time(task.createdUnixMicros),
            "updated": JSON.time(task.updatedUnixMicros),
            "meta": JSON.embedded(task.metaJSON),
            "predictions": JSON.embedded(task.predictionsJSON),
            "imported_annotations": JSON.embedded(task.importedAnnotationsJSON),
        ]
    }

    /// The JSON object for one annotation, its result embedded as JSON.
    public static func annotationObject(_ annotation: FerryV1.Annotation) -> [String: Any] {
        [
            "id": annotation.id,
            "task_id": annotation.taskID,
            "result": JSON.embedded(annotation.resultJSON),
            "completed_by": annotation.completedBy,
            "created": JSON.time(annotation.createdUnixMicros),
            "updated": JSON.time(annotation.updatedUnixMicros),
        ]
    }

    /// `tasks list`: the stream's tasks as one reply, `{"tasks": […]}`.
    public static func json(_ tasks: [FerryV1.Task]) -> String {
        JSON.encode(["tasks": tasks.map(jsonObject)])
    }
}
