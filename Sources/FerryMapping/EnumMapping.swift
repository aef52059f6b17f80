public import FerryCore
public import FerryProto

/// Conversions between the domain's enums and their `ferry.v1` wire forms.
extension StorageKind {
    /// The wire value.
    public var proto: FerryV1.StorageKind {
        switch self {
        case .import: .import
        case .export: .export
        case .dataset: .dataset
        }
    }

    /// The domain value of a wire value; `nil` for unspecified or unknown values.
    ///
    /// - Parameter proto: The wire value.
    public init?(_ proto: FerryV1.StorageKind) {
        switch proto {
        case .import: self = .import
        case .export: self = .export
        case .dataset: self = .dataset
        default: return nil
        }
    }
}

extension StorageProvider {
    /// The wire value.
    public var proto: FerryV1.StorageProvider {
        switch self {
        case .local: .local
        case .s3: .s3
        case .gcs: .gcs
        case .azureBlob: .azureBlob
        case .redis: .redis
        }
    }

    /// The domain value of a wire value; `nil` for unspecified or unknown values.
    ///
    /// - Parameter proto: The wire value.
    public init?(_ proto: FerryV1.StorageProvider) {
        switch proto {
        case .local: self = .local
        case .s3: self = .s3
        case .gcs: self = .gcs
        case .azureBlob: self = .azureBlob
        case .redis: self = .redis
        default: return nil
        }
    }
}

extension SyncStatus {
    /// The wire value.
    public var proto: FerryV1.SyncStatus {
        switch self {
        case .initialized: .initialized
        case .queued: .queued
        case .inProgress: .inProgress
        case .completed: .completed
        case .completedWithErrors: .completedWithErrors
        case .failed: .failed
        }
    }

    /// The domain value of a wire value; `nil` for unspecified or unknown values.
    ///
    /// - Parameter proto: The wire value.
    public init?(_ proto: FerryV1.SyncStatus) {
        switch proto {
        case .initialized: self = .initialized
        case .queued: self = .queued
        case .inProgress: self = .inProgress
        case .completed: self = .completed
        case .completedWithErrors: self = .completedWithErrors
        case .failed: self = .failed
        default: return nil
        }
    }
}

extension TerminationReason {
    /// The wire value.
    public var proto: FerryV1.TerminationReason {
        switch self {
        case .heartbeatTimeout: .heartbeatTimeout
        case .jobMissing: .jobMissing
        case .jobFailed: .jobFailed
        case .queueTimeout: .queueTimeout
        case .cancelled: .cancelled
        }
    }
}
