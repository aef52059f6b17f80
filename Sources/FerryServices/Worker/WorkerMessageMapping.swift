import FerryMapping
import FerryCore
import FerryProto
import FerryRPC
import FerryStore

extension JobLease {
    /// The lease a worker request carries, presented by the calling worker.
    ///
    /// - Parameters:
    ///   - proto: The request's lease.
    ///   - workerID: The caller's worker id (its certificate's name).
    /// - Throws: `INVALID_ARGUMENT` when it is missing or a field is empty.
    init(_ proto: FerryV1.JobLease?, presentedBy workerID: String) throws {
        guard let proto, !proto.jobID.isEmpty, !proto.leaseToken.isEmpty, !proto.instanceID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "lease: job_id, lease_token and instance_id are required")
        }
        self.init(jobID: proto.jobID, token: proto.leaseToken, workerID: workerID, instanceID: proto.instanceID)
    }
}

extension SyncCounters {
    /// The domain counters of a heartbeat.
    init(_ proto: FerryV1.SyncCounters) {
        self.init(
            synced: proto.synced,
            existed: proto.existed,
            failedValidation: proto.failedValidation,
            objectsScanned: proto.objectsScanned,
            bytes: proto.bytes,
            totalAnnotations: proto.totalAnnotations
        )
    }
}

extension SyncCheckpoint {
    /// The domain checkpoint of a request, stamped with the server's time.
    init(_ proto: FerryV1.SyncCheckpoint, now: FerryTime) {
        self.init(lastKey: proto.lastKey, state: proto.state, updatedAt: now)
    }

    /// The wire form handed to a worker that resumes.
    var proto: FerryV1.SyncCheckpoint {
        FerryV1.SyncCheckpoint(lastKey: lastKey, state: state, updatedUnixMicros: FerryTime.wire(updatedAt))
    }
}

extension SyncOutcome {
    /// The domain outcome of a terminal heartbeat.
    ///
    /// - Parameter proto: The worker's outcome.
    /// - Throws: `INVALID_ARGUMENT` for an unspecified or unknown result.
    init(_ proto: FerryV1.JobOutcome) throws {
        switch proto.result {
        case .completed:
            self = .completed
        case .completedWithErrors:
            self = .completedWithErrors(
                failedItems: proto.itemErrors.map {
                    SyncItemError(
                        key: $0.key,
                        rowIndex: $0.rowIndex,
                        line: $0.line == 0 ? nil : $0.line,
                        message: $0.message
                    )
                }
            )
        case .failed:
            self = .failed(traceback: proto.traceback.isEmpty ? "The worker reported a failure" : proto.traceback)
        case .cancelled:
            self = .cancelled
        default:
            throw RPCError(code: .invalidArgument, message: "outcome.result: must be set")
        }
    }
}
