public import FerryProto
import Foundation

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

    /// The JSON object for one task; `data` is embedded as JSON when it parses, else as a string.
    public static func jsonObject(_ task: FerryV1.Task) -> [String: Any] {
        let data: Any = (try? JSONSerialization.jsonObject(
            with: Data(task.dataJSON.utf8), options: [.fragmentsAllowed]
        )) ?? task.dataJSON
        return [
            "id": task.id,
            "project_id": task.projectID,
            "data": data,
            "sources": task.sources.map { ["storage_id": $0.storageID, "key": $0.key, "row_index": $0.rowIndex] },
            "annotation_count": Int(task.annotationCount),
            "created_unix_micros": task.createdUnixMicros,
            "updated_unix_micros": task.updatedUnixMicros,
        ]
    }

    /// Pretty JSON array of tasks.
    public static func json(_ tasks: [FerryV1.Task]) -> String {
        JSON.encode(tasks.map(jsonObject))
    }
}
