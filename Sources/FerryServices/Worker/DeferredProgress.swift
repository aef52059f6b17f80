import FerryStore

/// Coalesced heartbeat progress waiting for its ping interval to end: the newest report of each
/// job with when it falls due, and the jobs by the sweep tick in which they fall due, so that a
/// sweep looks at what is due instead of at every waiting job (10,000 of them five times a
/// second, under the lock the heartbeats take).
struct DeferredProgress {
    private var waiting: [String: (entry: ProgressReport, due: ContinuousClock.Instant)] = [:]
    /// Jobs by tick; a job may also sit in a tick it left (removed, or due earlier since): a
    /// sweep skips it there.
    private var jobsByTick: [Int64: [String]] = [:]
    private let origin: ContinuousClock.Instant
    private let tick: Duration

    /// Creates an empty queue whose ticks are `tick` long, counted from `origin`.
    init(origin: ContinuousClock.Instant, tick: Duration) {
        self.origin = origin
        self.tick = tick
    }

    /// Whether no progress waits.
    var isEmpty: Bool { waiting.isEmpty }

    /// Keeps `entry` as its job's newest report (with the waiting report's checkpoint when it
    /// has none of its own), due at `due` or at the job's earlier due time.
    mutating func hold(_ entry: ProgressReport, due: ContinuousClock.Instant) {
        let jobID = entry.lease.jobID
        let entry = keepingCheckpoint(entry)
        let previous = waiting[jobID]?.due
        let effective = min(due, previous ?? due)
        waiting[jobID] = (entry, effective)
        let tickIndex = index(ceilingOf: effective)
        if previous.map({ index(ceilingOf: $0) > tickIndex }) ?? true {
            jobsByTick[tickIndex, default: []].append(jobID)
        }
    }

    /// Forgets a job's waiting report.
    mutating func remove(_ jobID: String) {
        waiting[jobID] = nil
    }

    /// Forgets the waiting report of `entry`'s job, which `entry` replaces: returns `entry` with
    /// the waiting report's checkpoint when it has none of its own.
    mutating func replace(with entry: ProgressReport) -> ProgressReport {
        defer { remove(entry.lease.jobID) }
        return keepingCheckpoint(entry)
    }

    /// `entry`, with its job's waiting checkpoint when it carries none (a checkpoint is never lost
    /// to a newer report that had nothing to say about it).
    private func keepingCheckpoint(_ entry: ProgressReport) -> ProgressReport {
        var entry = entry
        entry.checkpoint = entry.checkpoint ?? waiting[entry.lease.jobID]?.entry.checkpoint
        return entry
    }

    /// Removes and returns the reports due by `now`. Sweeps need not fall on tick boundaries: the
    /// tick `now` is in is looked at too, and what in it is not due yet stays for the next sweep.
    mutating func takeDue(now: ContinuousClock.Instant) -> [ProgressReport] {
        let current = index(ceilingOf: now)
        var due: [ProgressReport] = []
        for tickIndex in jobsByTick.keys.filter({ $0 <= current }) {
            var notYet: [String] = []
            for jobID in jobsByTick.removeValue(forKey: tickIndex) ?? [] {
                guard let held = waiting[jobID] else { continue }
                guard held.due <= now else {
                    // Kept only where it is still filed: a stale listing of a job due later goes.
                    if index(ceilingOf: held.due) == tickIndex { notYet.append(jobID) }
                    continue
                }
                waiting[jobID] = nil
                due.append(held.entry)
            }
            if !notYet.isEmpty { jobsByTick[tickIndex] = notYet }
        }
        return due
    }

    /// Removes and returns every waiting report.
    mutating func takeAll() -> [ProgressReport] {
        defer {
            waiting = [:]
            jobsByTick = [:]
        }
        return waiting.values.map(\.entry)
    }

    private func ticks(to instant: ContinuousClock.Instant) -> Double {
        (instant - origin) / tick
    }

    private func index(ceilingOf instant: ContinuousClock.Instant) -> Int64 {
        Int64(ticks(to: instant).rounded(.up))
    }
}
