import Synchronization

/// The jobs a worker is running, by id, so that shutdown can stop each of them.
final class RunningJobs: Sendable {
    private let jobs = Mutex<[String: JobControl]>([:])

    /// How many jobs are running.
    var count: Int { jobs.withLock { $0.count } }

    /// Records a started job.
    func add(_ id: String, _ control: JobControl) {
        jobs.withLock { $0[id] = control }
    }

    /// Forgets an ended job.
    func remove(_ id: String) {
        _ = jobs.withLock { $0.removeValue(forKey: id) }
    }

    /// Asks every running job to stop.
    func stopAll(_ reason: JobControl.StopReason) {
        for control in jobs.withLock({ Array($0.values) }) {
            control.requestStop(reason)
        }
    }
}
