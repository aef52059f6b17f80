/// Labelled values one to a line, kubectl-describe style: the values of a section start in one
/// column, sections are indented two spaces under their heading, and a block (a traceback) is
/// printed on the lines below its label, indented. Empty values show as `-`; no line ends in a
/// space.
public struct FieldList: Sendable, Equatable {
    /// One line, or several, of the list.
    public enum Entry: Sendable, Equatable {
        /// `Label:  value` on one line (line breaks in the value become spaces).
        case field(String, String)
        /// `Label:` and then every line of the text below it, indented.
        case block(String, String)
        /// `Label:` and then the nested list, indented.
        case section(String, FieldList)
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// The rendered list, each line ending in a newline.
    public func render() -> String {
        lines(indent: "").map { $0 + "\n" }.joined()
    }

    private func lines(indent: String) -> [String] {
        let width = entries.map { entry -> Int in
            if case .field(let label, _) = entry { return label.count + 1 }
            return 0
        }.max() ?? 0
        return entries.flatMap { entry -> [String] in
            switch entry {
            case .field(let label, let value):
                let heading = label + ":"
                return [indent + heading + String(repeating: " ", count: width - heading.count + 2) + Table.clean(value)]
            case .block(let label, let text):
                let body = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                    .map { line in String(line.reversed().drop(while: \.isWhitespace).reversed()) }
                    .reversed().drop(while: \.isEmpty).reversed()
                guard !body.isEmpty else { return [indent + label + ":  -"] }
                return [indent + label + ":"] + body.map { $0.isEmpty ? "" : indent + "  " + $0 }
            case .section(let label, let list):
                return [indent + label + ":"] + list.lines(indent: indent + "  ")
            }
        }
    }
}
