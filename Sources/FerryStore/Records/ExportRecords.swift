public import FerryCore

/// One annotation's version inside an export object: what the object holds of it.
public struct ExportedAnnotation: Sendable, Hashable {
    /// The annotation id.
    public var id: Int64
    /// Its `updated_at` when the object's content was made.
    public var version: FerryTime

    /// Creates an entry.
    public init(id: Int64, version: FerryTime) {
        self.id = id
        self.version = version
    }
}

/// One object an export job must write: a task and its live annotations, in the platform's
/// export format.
public struct ExportObject: Sendable, Hashable {
    /// The task id.
    public var taskID: Int64
    /// The key to write: `<prefix>/<task id>.json`.
    public var key: String
    /// The annotations the content holds, with their versions.
    public var annotations: [ExportedAnnotation]
    /// The JSON content.
    public var content: String

    /// Creates an object.
    public init(taskID: Int64, key: String, annotations: [ExportedAnnotation], content: String) {
        self.taskID = taskID
        self.key = key
        self.annotations = annotations
        self.content = content
    }
}

/// One batch of an export job: objects to write, keys to delete, and where the next batch starts.
public struct ExportBatch: Sendable, Hashable {
    /// Objects to write.
    public var objects: [ExportObject]
    /// Keys to delete: tasks left with no annotation, on a storage that deletes objects.
    public var deleteKeys: [String]
    /// The last task this batch covered; the next batch starts after it.
    public var lastTaskID: Int64
    /// Whether no task after ``lastTaskID`` needs exporting.
    public var done: Bool

    /// Creates a batch.
    public init(objects: [ExportObject], deleteKeys: [String], lastTaskID: Int64, done: Bool) {
        self.objects = objects
        self.deleteKeys = deleteKeys
        self.lastTaskID = lastTaskID
        self.done = done
    }
}

/// An object a worker wrote: the export links to record.
public struct ExportWritten: Sendable, Hashable {
    /// The task id.
    public var taskID: Int64
    /// The key written.
    public var key: String
    /// The provider's entity tag, if it gave one.
    public var etag: String?
    /// The annotations the written content holds, with their versions.
    public var annotations: [ExportedAnnotation]

    /// Creates an entry.
    public init(taskID: Int64, key: String, etag: String?, annotations: [ExportedAnnotation]) {
        self.taskID = taskID
        self.key = key
        self.etag = etag
        self.annotations = annotations
    }
}
