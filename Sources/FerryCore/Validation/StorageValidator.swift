/// Checks a storage's settings and secrets on create and update, and lists every invalid field.
///
/// Pure and I/O-free: it checks shape, ranges and lexical containment. What needs I/O is left to
/// the server — resolving symlinks under the local-files root (see ``LocalFilesRoot``), reaching
/// an endpoint, checking that the project exists — and to a provider's connection check.
///
/// Every kind × provider combination is allowed (docs/CONTRACT.md §1.1: any provider can back any kind); see
/// ``isSupported(kind:provider:)``. Settings that only mean something for one kind are refused on
/// the others rather than silently ignored: `use_blob_urls` (import only), `can_delete_objects`
/// (export only), `dataset_id` (dataset only).
public struct StorageValidator: Sendable, Hashable {
    /// Limits and server settings the checks depend on.
    public struct Configuration: Sendable, Hashable {
        /// The local-files root; `nil` disables `local` storages.
        public var localFilesRoot: LocalFilesRoot?
        /// The longest title, in characters.
        public var maxTitleLength: Int
        /// The longest description, in UTF-8 bytes.
        public var maxDescriptionBytes: Int
        /// The longest prefix, in UTF-8 bytes.
        public var maxPrefixBytes: Int
        /// The longest `regex_filter`, in UTF-8 bytes.
        public var maxRegexBytes: Int
        /// The allowed presigned-URL lifetimes.
        public var presignTTLRange: ClosedRange<FerryDuration>
        /// The allowed periodic sync intervals.
        public var syncIntervalRange: ClosedRange<FerryDuration>
        /// The longest secret value, in UTF-8 bytes.
        public var maxSecretBytes: Int

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - localFilesRoot: The local-files root; `nil` disables `local` storages.
        ///   - maxTitleLength: The longest title in characters (default 256).
        ///   - maxDescriptionBytes: The longest description in bytes (default 16 KiB).
        ///   - maxPrefixBytes: The longest prefix in bytes (default 1024).
        ///   - maxRegexBytes: The longest regex filter in bytes (default 1024).
        ///   - presignTTLRange: Allowed presign lifetimes (default 1 minute to 7 days, the S3 and
        ///     GCS maximum).
        ///   - syncIntervalRange: Allowed periodic sync intervals (default 1 minute to 365 days).
        ///   - maxSecretBytes: The longest secret value in bytes (default 64 KiB).
        public init(
            localFilesRoot: LocalFilesRoot? = nil,
            maxTitleLength: Int = 256,
            maxDescriptionBytes: Int = 16_384,
            maxPrefixBytes: Int = 1024,
            maxRegexBytes: Int = 1024,
            presignTTLRange: ClosedRange<FerryDuration> = .minutes(1) ... .days(7),
            syncIntervalRange: ClosedRange<FerryDuration> = .minutes(1) ... .days(365),
            maxSecretBytes: Int = 65_536
        ) {
            self.localFilesRoot = localFilesRoot
            self.maxTitleLength = maxTitleLength
            self.maxDescriptionBytes = maxDescriptionBytes
            self.maxPrefixBytes = maxPrefixBytes
            self.maxRegexBytes = maxRegexBytes
            self.presignTTLRange = presignTTLRange
            self.syncIntervalRange = syncIntervalRange
            self.maxSecretBytes = maxSecretBytes
        }
    }

    /// The limits and server settings.
    public var configuration: Configuration

    /// Creates a validator.
    ///
    /// - Parameter configuration: Limits and server settings.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a provider may back a kind of storage. Always `true`: Ferry refuses no combination.
    ///
    /// - Parameters:
    ///   - kind: The storage kind.
    ///   - provider: The provider.
    /// - Returns: `true`.
    public static func isSupported(kind: StorageKind, provider: StorageProvider) -> Bool {
        true
    }

    /// Checks a new storage.
    ///
    /// - Parameters:
    ///   - kind: What the storage is for.
    ///   - provider: The provider the request names; its location must be the one set.
    ///   - settings: The settings.
    ///   - secrets: The credentials sent with the request.
    /// - Returns: Every invalid field; empty when the storage may be created.
    public func validateCreate(
        kind: StorageKind,
        provider: StorageProvider,
        settings: StorageSettings,
        secrets: StorageSecrets
    ) -> [FieldError] {
        var errors = FieldErrors()
        if !Self.isSupported(kind: kind, provider: provider) {
            errors.add(
                "provider",
                .notAllowed,
                "\(provider) cannot back a\(kind == .import ? "n" : "") \(kind) storage"
            )
        }
        self.checkSettings(settings, kind: kind, provider: provider, into: &errors)
        self.checkSecrets(secrets, provider: provider, into: &errors)
        return errors.list
    }

    /// Checks an update of an existing storage. `project_id`, kind and provider are fixed after
    /// creation; secrets the update omits keep their stored values, so only the secrets sent are
    /// checked.
    ///
    /// - Parameters:
    ///   - existing: The storage as stored.
    ///   - provider: The provider the request names.
    ///   - settings: The new settings (complete, not a patch).
    ///   - secrets: The secrets sent with the update.
    /// - Returns: Every invalid field; empty when the update may be applied.
    public func validateUpdate(
        of existing: Storage,
        provider: StorageProvider,
        settings: StorageSettings,
        secrets: StorageSecrets
    ) -> [FieldError] {
        var errors = FieldErrors()
        if settings.projectID != existing.settings.projectID {
            errors.add("project_id", .immutable, "cannot change after creation")
        }
        if provider != existing.provider {
            errors.add(
                "provider",
                .immutable,
                "cannot change after creation (\(existing.provider)); create a new storage instead"
            )
        }
        self.checkSettings(settings, kind: existing.kind, provider: provider, into: &errors)
        self.checkSecrets(secrets, provider: provider, into: &errors)
        return errors.list
    }

    /// Checks a new storage and throws if anything is invalid.
    ///
    /// - Parameters:
    ///   - kind: What the storage is for.
    ///   - provider: The provider the request names.
    ///   - settings: The settings.
    ///   - secrets: The credentials sent with the request.
    /// - Throws: A ``ValidationError`` listing every invalid field.
    public func checkCreate(
        kind: StorageKind,
        provider: StorageProvider,
        settings: StorageSettings,
        secrets: StorageSecrets
    ) throws(ValidationError) {
        let errors = self.validateCreate(kind: kind, provider: provider, settings: settings, secrets: secrets)
        if !errors.isEmpty { throw ValidationError(fieldErrors: errors) }
    }

    /// Checks an update and throws if anything is invalid.
    ///
    /// - Parameters:
    ///   - existing: The storage as stored.
    ///   - provider: The provider the request names.
    ///   - settings: The new settings.
    ///   - secrets: The secrets sent with the update.
    /// - Throws: A ``ValidationError`` listing every invalid field.
    public func checkUpdate(
        of existing: Storage,
        provider: StorageProvider,
        settings: StorageSettings,
        secrets: StorageSecrets
    ) throws(ValidationError) {
        let errors = self.validateUpdate(of: existing, provider: provider, settings: settings, secrets: secrets)
        if !errors.isEmpty { throw ValidationError(fieldErrors: errors) }
    }
}

/// An ordered collection of field errors being built.
struct FieldErrors {
    private(set) var list: [FieldError] = []

    mutating func add(_ field: String, _ code: FieldError.Code, _ message: String) {
        self.list.append(FieldError(field: field, code: code, message: message))
    }

    mutating func add(contentsOf errors: [FieldError]) {
        self.list += errors
    }
}
