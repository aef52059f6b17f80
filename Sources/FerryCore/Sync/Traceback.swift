/// Builders for the readable, bounded traceback texts FerryCore writes.
enum Traceback {
    /// The completed-with-errors traceback: a header, one line per listed item, then
    /// "… and K more" for the items not listed.
    static func itemList(_ items: [SyncItemError], total: Int64, limits: SyncStatusMachine.Limits) -> String {
        let total = max(total, Int64(items.count))
        let noun = total == 1 ? "item" : "items"
        var lines = ["\(total) \(noun) failed validation:"]
        let listed = items.prefix(limits.maxListedItems)
        for item in listed {
            lines.append(Self.truncated(Self.line(for: item), maxCharacters: limits.maxLineLength))
        }
        let more = total - Int64(listed.count)
        if more > 0 {
            lines.append("… and \(more) more")
        }
        return Self.bounded(lines.joined(separator: "\n"), maxBytes: limits.maxTracebackBytes)
    }

    /// The traceback of a sync whose worker confirmed a cancel request.
    static func cancelConfirmed(_ info: SyncInfo, reason: String?, now: FerryTime) -> String {
        var text = "Sync cancelled: worker \(info.meta.workerID ?? "(unknown)") stopped job "
        text += "\(info.lastSyncJob ?? "(unknown)") and confirmed at \(now.iso8601)"
        if let requested = info.meta.timeCancelRequested {
            text += ", \((now - requested).secondsText) s after the cancel requested at \(requested.iso8601)."
        } else {
            text += " without a recorded cancel request."
        }
        if let reason {
            text += "\nCancel requested " + reason + "."
        }
        return text
    }

    /// `text` cut to at most `maxBytes` UTF-8 bytes on a character boundary, with a note saying
    /// how much was cut.
    static func bounded(_ text: String, maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        let note = "\n… (traceback truncated)"
        let budget = max(0, maxBytes - note.utf8.count)
        var kept = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > budget { break }
            kept.append(character)
            used += size
        }
        return kept + note
    }

    /// One listed item: `- key (row 2, line 3): message`, on one line.
    private static func line(for item: SyncItemError) -> String {
        var position: [String] = []
        if let row = item.rowIndex { position.append("row \(row)") }
        if let line = item.line { position.append("line \(line)") }
        let location = position.isEmpty ? "" : " (" + position.joined(separator: ", ") + ")"
        let message = Self.singleLine(item.message)
        return "- \(Self.singleLine(item.key))\(location): \(message)"
    }

    private static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    private static func truncated(_ text: String, maxCharacters: Int) -> String {
        guard text.count > maxCharacters else { return text }
        return String(text.prefix(max(0, maxCharacters - 1))) + "…"
    }
}
