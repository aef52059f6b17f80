/// Which storage a write may have changed, for live watchers to read it again: by id, by the id
/// of its sync job when the write knows only the job, or not known at all (a change another
/// server replica announced without naming the storage).
public enum StorageTouch: Sendable, Hashable {
    /// This storage's row may have changed (created, updated, deleted, queued, claimed, judged).
    case storage(Int64)
    /// The storage whose sync job this is may have changed (the job ended or was removed).
    case job(String)
    /// Some storage may have changed; watchers read everything they follow again.
    case unknown
}
