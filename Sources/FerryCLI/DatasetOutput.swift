public import FerryProto

/// How `ferryctl dataset list` shows a dataset's catalogue.
public enum DatasetOutput {
    /// Columns KEY SIZE MODIFIED STATE (wide: ETAG CONTENT-TYPE FIRST-SEEN UPDATED too); ages
    /// kubectl-style at `nowMicros`.
    public static func table(_ objects: [FerryV1.CataloguedObject], wide: Bool, nowMicros: Int64) -> Table {
        var headers = ["KEY", "SIZE", "MODIFIED", "STATE"]
        if wide { headers += ["ETAG", "CONTENT-TYPE", "FIRST-SEEN", "UPDATED"] }
        let rows = objects.map { entry -> [String] in
            let object = entry.object ?? FerryV1.DatasetObject()
            let state = entry.deletedUnixMicros > 0
                ? "deleted " + Age.format(unixMicros: entry.deletedUnixMicros, nowMicros: nowMicros) + " ago"
                : "present"
            var row = [
                object.key, String(object.size),
                Age.format(unixMicros: object.lastModifiedUnixMicros, nowMicros: nowMicros), state,
            ]
            if wide {
                row += [
                    object.etag, object.contentType,
                    Age.format(unixMicros: entry.firstSeenUnixMicros, nowMicros: nowMicros),
                    Age.format(unixMicros: entry.updatedUnixMicros, nowMicros: nowMicros),
                ]
            }
            return row
        }
        return Table(headers: headers, rows: rows)
    }

    /// The JSON object for one entry: the object's fields beside the catalogue's, instants as
    /// RFC 3339 strings without `_unix_micros` (`deleted` is `null` while the object is present).
    public static func jsonObject(_ entry: FerryV1.CataloguedObject) -> [String: Any] {
        let object = entry.object ?? FerryV1.DatasetObject()
        return [
            "key": object.key,
            "size": object.size,
            "etag": object.etag,
            "last_modified": JSON.time(object.lastModifiedUnixMicros),
            "content_type": object.contentType,
            "first_seen": JSON.time(entry.firstSeenUnixMicros),
            "updated": JSON.time(entry.updatedUnixMicros),
            "deleted": JSON.time(entry.deletedUnixMicros),
        ]
    }

    /// `dataset list`: every page's entries as one reply, `{"objects": […]}`.
    public static func json(_ objects: [FerryV1.CataloguedObject]) -> String {
        JSON.encode(["objects": objects.map(jsonObject)])
    }
}
