/// A storage's credentials: named secret values (`access_key_id`, `password`, ...).
///
/// Secrets are write-only. Clients send them, the store keeps them encrypted, and only the worker
/// holding a job's lease receives them. To keep them out of logs by accident, every textual form
/// of this type — `description`, `debugDescription`, its `Mirror` (so `dump` and
/// `String(reflecting:)` too) — shows the names and `<redacted>` in place of each value. Reading a
/// value takes an explicit call to ``revealValue(named:)`` or ``revealedEntries()``.
public struct StorageSecrets: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private var values: [String: String]

    /// Creates secrets from name/value pairs.
    ///
    /// - Parameter values: Secret values by name.
    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// No secrets.
    public static let none = StorageSecrets()

    /// Whether there are no secrets.
    public var isEmpty: Bool {
        self.values.isEmpty
    }

    /// The secret names, sorted. Names are not secret and may be returned and logged.
    public var names: [String] {
        self.values.keys.sorted()
    }

    /// The value of one secret, on purpose: hand it only to the store's encryption or to the
    /// worker that holds the lease.
    ///
    /// - Parameter name: The secret's name.
    /// - Returns: Its value, or `nil` if there is no such secret.
    public func revealValue(named name: String) -> String? {
        self.values[name]
    }

    /// Every secret with its value, sorted by name, on purpose: for encrypting at rest and for
    /// building a job for the lease holder. Never log the result.
    ///
    /// - Returns: The name/value pairs.
    public func revealedEntries() -> [(name: String, value: String)] {
        self.values.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    /// The secrets after an update: every secret named in `update` takes its new value, and every
    /// secret the update omits keeps its stored value (docs/CONTRACT.md §1.3).
    ///
    /// - Parameter update: The secrets sent with an update.
    /// - Returns: The merged secrets.
    public func updated(with update: StorageSecrets) -> StorageSecrets {
        StorageSecrets(self.values.merging(update.values) { _, new in new })
    }

    /// `StorageSecrets(access_key_id: <redacted>, ...)`: names only, never values.
    public var description: String {
        let fields = self.names.map { "\($0): <redacted>" }.joined(separator: ", ")
        return "StorageSecrets(\(fields))"
    }

    /// The same as ``description``: names only, never values.
    public var debugDescription: String {
        self.description
    }

    /// A mirror that shows each name with `<redacted>`, so `dump` never prints a value.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: self.names.map { name -> Mirror.Child in (label: name, value: "<redacted>") },
            displayStyle: .struct
        )
    }
}
