import FerryCore

/// The answer of an import batch, from the links it created and those it found.
enum ImportLinks {
    /// A task's import link within one storage.
    struct Key: Hashable {
        var key: String
        var rowIndex: Int64
    }

    /// The result in request order, each (key, row index) once.
    ///
    /// - Throws: ``StoreError/Code/io`` for a task neither created nor found.
    static func result(_ tasks: [NewTask], created: [Key: Int64], existing: [Key: Int64]) throws -> ImportResult {
        var seen = Set<Key>()
        var result = ImportResult(created: [], existed: [])
        for task in tasks {
            let link = Key(key: task.key, rowIndex: task.rowIndex)
            guard seen.insert(link).inserted else { continue }
            if let id = created[link] {
                result.created.append(TaskLink(key: task.key, rowIndex: task.rowIndex, taskID: id))
            } else if let id = existing[link] {
                result.existed.append(TaskLink(key: task.key, rowIndex: task.rowIndex, taskID: id))
            } else {
                throw StoreError(
                    code: .io,
                    message: "Task link (\(task.key), \(task.rowIndex)) neither inserted nor found."
                )
            }
        }
        return result
    }
}
