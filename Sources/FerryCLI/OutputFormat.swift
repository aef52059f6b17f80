/// `-o table|json|wide`.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table
    case json
    case wide
}
