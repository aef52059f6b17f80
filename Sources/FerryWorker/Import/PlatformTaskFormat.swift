public import FerryProto
import Foundation

/// The annotation platform's own task format: an object with a `data` object, and optionally
/// `meta` (an object), `predictions` and `annotations` (lists), is imported as that task — its
/// data is the `data` object, not the whole object nested under `data` — and the other three
/// fields travel with it (re-encoded with sorted keys). Other top-level fields (`id`, `created_at`, ...) are the platform's to
/// assign and are not imported.
///
/// Rows without the text `"data"` are plain task data and skip the extra parse, so the common
/// case costs one byte scan.
public enum PlatformTaskFormat {
    /// The import task for one parsed row of an object.
    ///
    /// - Parameters:
    ///   - key: The object key.
    ///   - row: The row.
    /// - Returns: The task, split into data and platform fields when the row is in the platform's format.
    public static func importTask(key: String, row: TaskFileParser.Row) -> FerryV1.ImportTask {
        var task = FerryV1.ImportTask(key: key, rowIndex: row.rowIndex, dataJSON: row.json)
        guard mentionsData(row.json),
            let object = try? JSONSerialization.jsonObject(with: Data(row.json.utf8)) as? [String: Any],
            let data = object["data"] as? [String: Any],
            let dataJSON = encode(data)
        else { return task }
        task.dataJSON = dataJSON
        task.metaJSON = object["meta"].flatMap(encode) ?? ""
        task.predictionsJSON = object["predictions"].flatMap(encode) ?? ""
        task.annotationsJSON = object["annotations"].flatMap(encode) ?? ""
        return task
    }

    /// Whether the text holds `"data"` anywhere (a cheap filter before parsing).
    private static func mentionsData(_ json: String) -> Bool {
        json.utf8.contains(#""data""#.utf8)
    }

    /// JSON text of a value; a field of the wrong JSON type is still handed over, and the server
    /// refuses the task naming the field.
    private static func encode(_ value: Any) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes, .sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
