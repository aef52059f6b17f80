/// Builds the JSON arrays that batch statements read (SQLite's `json_each`, PostgreSQL's
/// `jsonb_to_recordset`), by hand: Foundation's `JSONEncoder` cost a sixth of the server's time
/// per imported task.
enum JSONText {
    /// `["a","b",…]`.
    static func array(of strings: [String]) -> String {
        var text = "["
        text.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, string) in strings.enumerated() {
            if index > 0 { text += "," }
            appendQuoted(string, to: &text)
        }
        return text + "]"
    }

    /// `[{"k":key,"r":row,"d":data},…]` for import batches.
    static func importRows(_ tasks: [NewTask]) -> String {
        var text = "["
        text.reserveCapacity(tasks.reduce(2) { $0 + $1.key.utf8.count + $1.data.utf8.count + 32 })
        for (index, task) in tasks.enumerated() {
            text += index > 0 ? ",{\"k\":" : "{\"k\":"
            appendQuoted(task.key, to: &text)
            text += ",\"r\":\(task.rowIndex),\"d\":"
            appendQuoted(task.data, to: &text)
            for (name, value) in [("m", task.platformFields.meta), ("p", task.platformFields.predictions),
                                  ("a", task.platformFields.annotations)] {
                guard let value else { continue }
                text += ",\"\(name)\":"
                appendQuoted(value, to: &text)
            }
            text += "}"
        }
        return text + "]"
    }

    /// Appends `string` as a JSON string literal: quotes, backslashes and control characters
    /// escaped, everything else as is (JSON text is UTF-8).
    static func appendQuoted(_ string: String, to text: inout String) {
        text += "\""
        var plainStart = string.utf8.startIndex
        var index = plainStart
        let utf8 = string.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                text += string[plainStart..<index]
                switch byte {
                case UInt8(ascii: "\""): text += "\\\""
                case UInt8(ascii: "\\"): text += "\\\\"
                case 0x0A: text += "\\n"
                case 0x0D: text += "\\r"
                case 0x09: text += "\\t"
                default:
                    let hex = String(byte, radix: 16)
                    text += "\\u00" + (hex.count == 1 ? "0" + hex : hex)
                }
                plainStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        text += string[plainStart..<utf8.endIndex]
        text += "\""
    }
}
