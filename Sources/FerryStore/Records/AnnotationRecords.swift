public import FerryCore

/// An annotation to create or replace, as the platform puts it (`ferry.v1.AnnotationInput`
/// after validation, with the server's clock filled in).
public struct AnnotationWrite: Sendable, Hashable {
    /// The platform's annotation id, > 0.
    public var id: Int64
    /// The task it belongs to.
    public var taskID: Int64
    /// The result, JSON text.
    public var resultJSON: String
    /// Who made it.
    public var completedBy: String
    /// When the platform created it.
    public var createdAt: FerryTime
    /// When the platform last changed it: the version a put compares.
    public var updatedAt: FerryTime

    /// Creates a write.
    public init(
        id: Int64, taskID: Int64, resultJSON: String, completedBy: String, createdAt: FerryTime, updatedAt: FerryTime
    ) {
        self.id = id
        self.taskID = taskID
        self.resultJSON = resultJSON
        self.completedBy = completedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An annotation as stored.
public struct AnnotationRecord: Sendable, Hashable {
    /// The platform's annotation id.
    public var id: Int64
    /// The task it belongs to.
    public var taskID: Int64
    /// The result, JSON text.
    public var resultJSON: String
    /// Who made it.
    public var completedBy: String
    /// When the platform created it.
    public var createdAt: FerryTime
    /// When the platform last changed it.
    public var updatedAt: FerryTime

    /// Creates a record.
    public init(
        id: Int64, taskID: Int64, resultJSON: String, completedBy: String, createdAt: FerryTime, updatedAt: FerryTime
    ) {
        self.id = id
        self.taskID = taskID
        self.resultJSON = resultJSON
        self.completedBy = completedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a PutAnnotations stored.
public struct AnnotationPutResult: Sendable, Hashable {
    /// Every annotation of the request as stored now, in request order.
    public var stored: [AnnotationRecord]
    /// How many writes changed nothing: the stored annotation was as new or newer.
    public var unchanged: Int
    /// The export storages of the project that export on change (to queue a sync of).
    public var exportOnChange: [Int64]

    /// Creates a result.
    public init(stored: [AnnotationRecord], unchanged: Int, exportOnChange: [Int64]) {
        self.stored = stored
        self.unchanged = unchanged
        self.exportOnChange = exportOnChange
    }
}

/// What a DeleteAnnotations removed.
public struct AnnotationDeleteResult: Sendable, Hashable {
    /// How many live annotations were deleted (ids not found or already deleted are not counted).
    public var deleted: Int64
    /// The export storages of the project that export on change.
    public var exportOnChange: [Int64]

    /// Creates a result.
    public init(deleted: Int64, exportOnChange: [Int64]) {
        self.deleted = deleted
        self.exportOnChange = exportOnChange
    }
}
