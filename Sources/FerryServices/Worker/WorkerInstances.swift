import Synchronization

/// The worker processes this server knows: each worker id's current instance, and which instances
/// have a call open right now (an AcquireJob long-poll, a heartbeat stream, a batch).
///
/// A worker process always has a call open while it runs: it long-polls AcquireJob whenever it
/// has a free slot and keeps a heartbeat stream open for every job it runs. So an instance with
/// an open call is alive, and a second process that registers under its worker id is a
/// misconfigured copy: it is refused rather than allowed to take the id (which would fail the live
/// one's jobs, and then the copy's, forever). Once the old process's connection is gone (its calls
/// end with it), a new instance takes over and the old one's jobs fail at once.
///
/// It is also the server's answer to "how many workers are connected": the worker ids with a call
/// open right now.
public final class WorkerInstances: Sendable {
    /// What registering an instance found.
    enum Registration: Equatable {
        /// The instance is already its worker id's current one.
        case current
        /// The instance is new for its worker id and is now the current one.
        case replaced
        /// Another instance of the worker id is alive; this one is refused.
        case refused(liveInstance: String)
    }

    private struct Worker {
        var current: String?
        var openCalls: [String: Int] = [:]
    }

    private let workers = Mutex<[String: Worker]>([:])

    /// Creates an empty registry.
    public init() {}

    /// The number of worker ids with a call open to this server now.
    public var connectedCount: Int {
        workers.withLock { $0.values.count { !$0.openCalls.isEmpty } }
    }

    /// Registers `instanceID` as its worker id's current process unless another instance of the
    /// id has a call open.
    func register(workerID: String, instanceID: String) -> Registration {
        workers.withLock { workers in
            var worker = workers[workerID] ?? Worker()
            if worker.current == instanceID { return .current }
            if let live = worker.openCalls.keys.sorted().first(where: { $0 != instanceID }) {
                return .refused(liveInstance: live)
            }
            worker.current = instanceID
            workers[workerID] = worker
            return .replaced
        }
    }

    /// Runs `body` as an open call of the instance.
    func withOpenCall<Result>(
        workerID: String,
        instanceID: String,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        change(workerID: workerID, instanceID: instanceID, by: 1)
        defer { change(workerID: workerID, instanceID: instanceID, by: -1) }
        return try await body()
    }

    private func change(workerID: String, instanceID: String, by delta: Int) {
        workers.withLock { workers in
            var worker = workers[workerID] ?? Worker()
            let count = worker.openCalls[instanceID, default: 0] + delta
            worker.openCalls[instanceID] = count > 0 ? count : nil
            workers[workerID] = worker.current == nil && worker.openCalls.isEmpty ? nil : worker
        }
    }
}
