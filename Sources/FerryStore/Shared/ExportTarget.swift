import FerryCore

/// The storage an export lease writes to, with what its batches need.
struct ExportTarget {
    var storageID: Int64
    var projectID: Int64
    /// `prefix/`, or empty: every key is this plus `<task id>.json`.
    var keyPrefix: String
    var canDeleteObjects: Bool
    var exportsAll: Bool

    /// The target from a row with the storage's `project_id` and `settings` and the job's
    /// `only_new` and `full_export`.
    init(storageID: Int64, row: some StoredRow) throws {
        let projectID = try row.int64("project_id")
        let settings = try SettingsDocument.decode(try row.string("settings"), projectID: projectID)
        let options = SyncOptions(onlyNew: try row.bool("only_new"), fullExport: try row.bool("full_export"))
        let prefix = settings.prefix
        self.storageID = storageID
        self.projectID = projectID
        self.keyPrefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.canDeleteObjects = settings.canDeleteObjects
        self.exportsAll = options.exportsAll(storageExportsAll: settings.exportAll)
    }
}
