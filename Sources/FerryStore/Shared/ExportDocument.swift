import FerryCore

/// The JSON of one exported task, as the PostgreSQL store assembles it (SQLite builds the same
/// document in SQL): `id`, `data`, `meta`, `predictions`, `annotations` with their ids, results,
/// authors and times, and `created_at`. Stored JSON texts are embedded as they are.
enum ExportDocument {
    /// The document of a task and its live annotations (in id order).
    static func content(
        taskID: Int64,
        data: String,
        meta: String?,
        predictions: String?,
        createdAt: FerryTime,
        annotations: [AnnotationRecord]
    ) -> String {
        var text = "{\"id\":\(taskID),\"data\":\(data),\"meta\":\(meta ?? "{}"),\"predictions\":\(predictions ?? "[]")"
        text += ",\"annotations\":["
        for (index, annotation) in annotations.enumerated() {
            text += index > 0 ? ",{" : "{"
            text += "\"id\":\(annotation.id),\"task\":\(annotation.taskID),\"result\":\(annotation.resultJSON)"
            text += ",\"completed_by\":"
            JSONText.appendQuoted(annotation.completedBy, to: &text)
            text += ",\"created_at\":\"\(isoTime(annotation.createdAt))\",\"updated_at\":\"\(isoTime(annotation.updatedAt))\"}"
        }
        return text + "],\"created_at\":\"\(isoTime(createdAt))\"}"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, as SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ')` writes it.
    static func isoTime(_ time: FerryTime) -> String {
        let micros = time.unixMicroseconds
        let millis = micros >= 0 ? micros / 1_000 : (micros - 999) / 1_000
        let seconds = millis >= 0 ? millis / 1_000 : (millis - 999) / 1_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3_600, 2)):"
            + "\(pad(secondOfDay % 3_600 / 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis - seconds * 1_000, 3))Z"
    }
}
