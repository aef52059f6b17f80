/// A kubectl-style table: upper-case headers, columns left-aligned and separated by at least
/// three spaces, no trailing spaces.
public struct Table: Sendable, Equatable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The rendered table, one line per row after the header, each ending in a newline.
    public func render() -> String {
        let all = [headers] + rows.map { row in
            (0..<headers.count).map { Self.clean($0 < row.count ? row[$0] : "") }
        }
        var widths = headers.map(\.count)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var output = ""
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 {
                    line += String(repeating: " ", count: widths[index] - cell.count + 3)
                }
            }
            while line.last == " " { line.removeLast() }
            output += line + "\n"
        }
        return output
    }

    /// Cells are single-line; empty and missing cells show as `-`.
    static func clean(_ cell: String) -> String {
        let flat = cell.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.isEmpty ? "-" : flat
    }
}
