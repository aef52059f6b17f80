import FerryCore
public import FerryRPC
public import FerryStore
import FerryProto

extension RPCError {
    /// The status a client sees for a store failure: the store's own words for what the caller
    /// can act on, a neutral message for internal failures (the cause stays for logs).
    ///
    /// - Parameter error: The store's error.
    /// - Returns: The status to send.
    public static func from(store error: StoreError) -> RPCError {
        switch error.code {
        case .notFound:
            return RPCError(code: .notFound, message: error.message, cause: error)
        case .conflict:
            // A stale expected_revision: the caller must read the storage again before retrying.
            return RPCError(code: .failedPrecondition, message: error.message, cause: error)
        case .failedPrecondition:
            return RPCError(code: .failedPrecondition, message: error.message, cause: error)
        case .leaseNotCurrent:
            return RPCError(
                code: .failedPrecondition,
                message: "The job's lease is no longer current; stop this job",
                metadata: [LeaseRejection.metadataKey: LeaseRejection.notCurrent],
                cause: error
            )
        case .notLeaseHolder:
            return RPCError(code: .permissionDenied, message: error.message, cause: error)
        case .invalidArgument:
            return RPCError(code: .invalidArgument, message: error.message, cause: error)
        case .closed:
            return RPCError(code: .unavailable, message: "The server is shutting down", cause: error)
        case .unavailable:
            // The database is unreachable for now; a client may retry.
            return RPCError(code: .unavailable, message: "The database is unavailable", cause: error)
        default:
            return RPCError(code: .internal, message: "Internal storage error", cause: error)
        }
    }

    /// Runs a store operation, translating its errors.
    ///
    /// - Parameter body: The operation.
    /// - Returns: Its result.
    /// - Throws: ``RPCError``.
    public static func translatingStoreErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as StoreError {
            throw RPCError.from(store: error)
        } catch let error as ValidationError {
            throw RPCError(code: .invalidArgument, message: error.description, cause: error)
        }
    }
}
