public import FerryProto

/// Short, lower-case names for the proto enums, as ferryctl prints and parses them.
///
/// Statuses, kinds and providers are lower-case (`completed_with_errors`, `import`,
/// `azure_blob`); termination reasons keep the upper-case spelling operators grep logs for
/// (`HEARTBEAT_TIMEOUT`).
public enum Names {
    /// `completed_with_errors` for `SYNC_STATUS_COMPLETED_WITH_ERRORS`.
    public static func status(_ status: FerryV1.SyncStatus) -> String {
        switch status {
        case .unspecified: "unknown"
        case .initialized: "initialized"
        case .queued: "queued"
        case .inProgress: "in_progress"
        case .completed: "completed"
        case .completedWithErrors: "completed_with_errors"
        case .failed: "failed"
        case .unrecognized(let value): "unrecognized(\(value))"
        }
    }

    /// `import`, `export` or `dataset`.
    public static func kind(_ kind: FerryV1.StorageKind) -> String {
        switch kind {
        case .unspecified: "unknown"
        case .import: "import"
        case .export: "export"
        case .dataset: "dataset"
        case .unrecognized(let value): "unrecognized(\(value))"
        }
    }

    /// `local`, `s3`, `gcs`, `azure_blob` or `redis`.
    public static func provider(_ provider: FerryV1.StorageProvider) -> String {
        switch provider {
        case .unspecified: "unknown"
        case .local: "local"
        case .s3: "s3"
        case .gcs: "gcs"
        case .azureBlob: "azure_blob"
        case .redis: "redis"
        case .unrecognized(let value): "unrecognized(\(value))"
        }
    }

    /// `HEARTBEAT_TIMEOUT` etc.; empty when no reason is set.
    public static func reason(_ reason: FerryV1.TerminationReason) -> String {
        switch reason {
        case .unspecified: ""
        case .heartbeatTimeout: "HEARTBEAT_TIMEOUT"
        case .jobMissing: "JOB_MISSING"
        case .jobFailed: "JOB_FAILED"
        case .queueTimeout: "QUEUE_TIMEOUT"
        case .cancelled: "CANCELLED"
        case .unrecognized(let value): "UNRECOGNIZED(\(value))"
        }
    }

    /// `SERVING`, `NOT_SERVING` etc.: the health status without its enum prefix.
    public static func servingStatus(_ status: FerryV1.ServingStatus) -> String {
        let name = status.description
        let prefix = "SERVING_STATUS_"
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }

    /// Parses a `--kind` value.
    public static func parseKind(_ text: String) -> FerryV1.StorageKind? {
        [FerryV1.StorageKind.import, .export, .dataset].first { kind($0) == text.lowercased() }
    }

    /// Parses a `--provider` value.
    public static func parseProvider(_ text: String) -> FerryV1.StorageProvider? {
        [FerryV1.StorageProvider.local, .s3, .gcs, .azureBlob, .redis].first { provider($0) == text.lowercased() }
    }

    /// Parses a `--status` value.
    public static func parseStatus(_ text: String) -> FerryV1.SyncStatus? {
        [FerryV1.SyncStatus.initialized, .queued, .inProgress, .completed, .completedWithErrors, .failed]
            .first { status($0) == text.lowercased() }
    }

    /// True once a sync has stopped: completed, completed with errors, or failed.
    public static func isSettled(_ status: FerryV1.SyncStatus) -> Bool {
        switch status {
        case .completed, .completedWithErrors, .failed: true
        default: false
        }
    }
}
