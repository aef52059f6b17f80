public import FerryCore
public import FerryProto

extension FerryTime {
    /// Unix microseconds for the wire, where 0 means "not set".
    ///
    /// - Parameter time: An optional instant.
    /// - Returns: Its microseconds, or 0.
    public static func wire(_ time: FerryTime?) -> Int64 {
        time?.unixMicroseconds ?? 0
    }

    /// An optional instant from the wire, where 0 means "not set".
    ///
    /// - Parameter micros: Unix microseconds.
    /// - Returns: The instant, or `nil` for 0.
    public static func fromWire(_ micros: Int64) -> FerryTime? {
        micros == 0 ? nil : FerryTime(unixMicroseconds: micros)
    }
}

extension SyncInfo {
    /// The wire form, as every reply that shows a storage's sync carries it.
    public var proto: FerryV1.SyncInfo {
        FerryV1.SyncInfo(
            status: status.proto,
            lastSyncUnixMicros: FerryTime.wire(lastSync),
            lastSyncCount: lastSyncCount,
            lastSyncJob: lastSyncJob ?? "",
            traceback: traceback ?? "",
            meta: meta.proto
        )
    }
}

extension SyncMeta {
    /// The wire form.
    public var proto: FerryV1.SyncMeta {
        FerryV1.SyncMeta(
            attempts: Int32(clamping: attempts),
            timeQueuedUnixMicros: FerryTime.wire(timeQueued),
            timeInProgressUnixMicros: FerryTime.wire(timeInProgress),
            timeLastPingUnixMicros: FerryTime.wire(timeLastPing),
            timeCompletedUnixMicros: FerryTime.wire(timeCompleted),
            timeFailureUnixMicros: FerryTime.wire(timeFailure),
            durationMicros: duration?.microseconds ?? 0,
            timeCancelRequestedUnixMicros: FerryTime.wire(timeCancelRequested),
            tasksExisted: tasksExisted,
            tasksFailedValidation: tasksFailedValidation,
            totalAnnotations: totalAnnotations,
            objectsScanned: objectsScanned,
            bytesTransferred: bytesTransferred,
            workerID: workerID ?? "",
            workerInstanceID: workerInstanceID ?? "",
            terminationReason: terminationReason?.proto ?? .unspecified
        )
    }
}
