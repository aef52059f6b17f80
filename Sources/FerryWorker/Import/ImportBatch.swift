import FerryProto

/// One SubmitImportBatch request's content: the tasks, and the keys among them whose object has
/// more rows in a later batch (`partial_keys`), so that the server keeps those keys new to
/// CheckImportKeys until their last row is in.
struct ImportBatch: Sendable, Equatable {
    /// The tasks, in row order within each object.
    var tasks: [FerryV1.ImportTask] = []
    /// Keys of ``tasks`` whose object continues in a later batch.
    var partialKeys: [String] = []
}
