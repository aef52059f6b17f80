public import FerryCore

/// A task a worker hands over in an import batch (`ferry.v1.ImportTask`).
public struct NewTask: Sendable, Hashable {
    /// The object key it came from.
    public var key: String
    /// Its 0-based position in the object; (storage, key, row index) identifies its link.
    public var rowIndex: Int64
    /// The task data: a JSON object, as text (validated by the server, stored verbatim).
    public var data: String
    /// The platform-format fields that came with it.
    public var platformFields: TaskPlatformFields

    /// Creates a task.
    ///
    /// - Parameters:
    ///   - key: The object key.
    ///   - rowIndex: The position in the object.
    ///   - data: The task data as JSON text.
    ///   - platformFields: `meta`, `predictions` and `annotations` of a platform-format task.
    public init(key: String, rowIndex: Int64, data: String, platformFields: TaskPlatformFields = .none) {
        self.key = key
        self.rowIndex = rowIndex
        self.data = data
        self.platformFields = platformFields
    }
}

/// The task created for, or already linked to, one (key, row index) (`ferry.v1.TaskLink`).
public struct TaskLink: Sendable, Hashable {
    /// The object key.
    public var key: String
    /// The row within the object.
    public var rowIndex: Int64
    /// The task id.
    public var taskID: Int64

    /// Creates a link.
    ///
    /// - Parameters:
    ///   - key: The object key.
    ///   - rowIndex: The row within the object.
    ///   - taskID: The task id.
    public init(key: String, rowIndex: Int64, taskID: Int64) {
        self.key = key
        self.rowIndex = rowIndex
        self.taskID = taskID
    }
}

/// The answer to ``FerryStore/importTasks(lease:tasks:checkpoint:now:)``.
public struct ImportResult: Sendable, Hashable {
    /// Tasks created by this batch, in request order.
    public var created: [TaskLink]
    /// Links that already existed (a retried batch or job, or a repeat within the batch); no task
    /// was made for them. In request order, each (key, row index) once.
    public var existed: [TaskLink]

    /// Creates a result.
    ///
    /// - Parameters:
    ///   - created: Tasks created.
    ///   - existed: Links that already existed.
    public init(created: [TaskLink], existed: [TaskLink]) {
        self.created = created
        self.existed = existed
    }

    /// How many tasks were created.
    public var inserted: Int { self.created.count }
    /// How many links already existed.
    public var existedCount: Int { self.existed.count }
}

/// A task of a project, as stored.
public struct TaskRecord: Sendable, Hashable, Identifiable {
    /// The server-assigned id; ascending in creation order.
    public var id: Int64
    /// The project it belongs to.
    public var projectID: Int64
    /// The task data as JSON text.
    public var data: String
    /// The import storage it is linked to; `nil` for a task made otherwise or whose storage was
    /// deleted.
    public var storageID: Int64?
    /// The object key of its link.
    public var key: String?
    /// Its row within that object.
    public var rowIndex: Int64?
    /// When it was created.
    public var createdAt: FerryTime
    /// The platform-format fields it was imported with.
    public var platformFields: TaskPlatformFields

    /// Creates a record.
    ///
    /// - Parameters:
    ///   - id: The task id.
    ///   - projectID: The project.
    ///   - data: The task data as JSON text.
    ///   - storageID: The linked import storage.
    ///   - key: The linked object key.
    ///   - rowIndex: The linked row.
    ///   - createdAt: When it was created.
    ///   - platformFields: The platform-format fields it was imported with.
    public init(
        id: Int64,
        projectID: Int64,
        data: String,
        storageID: Int64?,
        key: String?,
        rowIndex: Int64?,
        createdAt: FerryTime,
        platformFields: TaskPlatformFields = .none
    ) {
        self.id = id
        self.projectID = projectID
        self.data = data
        self.storageID = storageID
        self.key = key
        self.rowIndex = rowIndex
        self.createdAt = createdAt
        self.platformFields = platformFields
    }
}
