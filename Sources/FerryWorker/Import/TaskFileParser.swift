import FerryProviders
import Foundation

/// Turns one object's bytes into task data (docs/CONTRACT.md §5.2): a JSON object is one task, a JSON list
/// one task per element, JSONL one task per non-empty line; `row_index` is the task's 0-based
/// position in the object.
///
/// Whether each task is a valid task (a JSON object) is the server's call: a list element that
/// is not an object is still handed over, and the server skips and counts it. Only text that is
/// not JSON at all fails the sync, with the key and line.
///
/// The per-row loops stop early when the calling task is cancelled (the caller checks for
/// cancellation after parsing and drops the partial result); the one call that parses the
/// whole document cannot be interrupted, which bounds a stop's delay by the parse time of one
/// object of at most `ObjectLimits.maxObjectBytes`.
public enum TaskFileParser {
    /// One task's data.
    public struct Row: Sendable, Hashable {
        /// The 0-based position in the object.
        public var rowIndex: Int64
        /// The data as JSON text.
        public var json: String
    }

    /// Parses an object.
    ///
    /// - Parameters:
    ///   - bytes: The object's content (UTF-8, an optional BOM is ignored).
    ///   - key: The object key, for errors.
    /// - Returns: The tasks, in order.
    /// - Throws: ``TaskFileError`` with the line of the first problem.
    public static func parse(_ bytes: [UInt8], key: String) throws(TaskFileError) -> [Row] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let first = body.firstIndex(where: { !isWhitespace($0) }) else {
            throw TaskFileError(key: key, line: 1, message: "the file is empty; expected a JSON object, a JSON list or JSONL")
        }
        if body[first] == UInt8(ascii: "[") {
            return try list(body, key: key)
        }
        if let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) {
            _ = value
            return [Row(rowIndex: 0, json: String(decoding: trimmed(body), as: UTF8.self))]
        }
        let lines = nonEmptyLines(body)
        if lines.count > 1, isJSON(lines[0].text) {
            return try jsonLines(lines, key: key)
        }
        throw documentError(body, key: key)
    }

    private static func list(_ body: ArraySlice<UInt8>, key: String) throws(TaskFileError) -> [Row] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw documentError(body, key: key)
        }
        guard let elements = parsed as? [Any] else {
            throw TaskFileError(key: key, line: 1, message: "expected a JSON list")
        }
        var rows: [Row] = []
        rows.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            if index % cancellationStride == 0 && Task.isCancelled { break }
            guard
                let data = try? JSONSerialization.data(
                    withJSONObject: element, options: [.fragmentsAllowed, .withoutEscapingSlashes])
            else {
                throw TaskFileError(key: key, line: 1, message: "list element \(index) cannot be encoded as JSON")
            }
            rows.append(Row(rowIndex: Int64(index), json: String(decoding: data, as: UTF8.self)))
        }
        return rows
    }

    private static func jsonLines(_ lines: [Line], key: String) throws(TaskFileError) -> [Row] {
        var rows: [Row] = []
        rows.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            if index % cancellationStride == 0 && Task.isCancelled { break }
            guard isJSON(line.text) else {
                throw TaskFileError(key: key, line: line.number, message: "invalid JSON on this JSONL line")
            }
            rows.append(Row(rowIndex: Int64(index), json: String(decoding: line.text, as: UTF8.self)))
        }
        return rows
    }

    /// Rows converted between two looks at cancellation.
    private static let cancellationStride = 1_024

    // MARK: - Text helpers

    private struct Line {
        var number: Int
        var text: ArraySlice<UInt8>
    }

    private static func nonEmptyLines(_ body: ArraySlice<UInt8>) -> [Line] {
        var lines: [Line] = []
        var number = 0
        for raw in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let text = trimmed(raw)
            if !text.isEmpty { lines.append(Line(number: number, text: text)) }
        }
        return lines
    }

    private static func isJSON(_ text: ArraySlice<UInt8>) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(text), options: [.fragmentsAllowed])) != nil
    }

    /// The parser's complaint about the whole document, placed on its line.
    private static func documentError(_ body: ArraySlice<UInt8>, key: String) -> TaskFileError {
        var detail = "not valid JSON"
        var line = 1
        do {
            _ = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            let description = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            detail = "not valid JSON (\(description))"
            line = lineOfReportedOffset(description, in: body)
        }
        return TaskFileError(key: key, line: line, message: detail)
    }

    /// The line holding the byte offset named by "… around character N …", or the last line.
    private static func lineOfReportedOffset(_ description: String, in body: ArraySlice<UInt8>) -> Int {
        let offset: Int
        if let range = description.range(of: "character "),
            let number = Int(description[range.upperBound...].prefix(while: \.isNumber))
        {
            offset = min(number, body.count)
        } else {
            offset = body.count
        }
        return 1 + body.prefix(offset).lazy.filter { $0 == UInt8(ascii: "\n") }.count
    }

    private static func trimmed(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let start = text.firstIndex(where: { !isWhitespace($0) }),
            let end = text.lastIndex(where: { !isWhitespace($0) })
        else { return text[text.startIndex..<text.startIndex] }
        return text[start...end]
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
