/// `-o table|json|wide`, for commands that print storages, tasks or catalogue entries as tables.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table
    case json
    case wide
}

/// `-o text|json`, for commands whose reply is a line or a description rather than a table.
public enum ReplyFormat: String, CaseIterable, Sendable {
    case text
    case json
}
