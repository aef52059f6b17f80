import FerryProto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The phases of `import` against a real `ferryd` and a real `ferry-worker`: writing the task
/// files, then one sync from StartSync until the storage reports it completed.
enum ImportPhases {
    // MARK: Task files

    /// What ``generate(files:under:perDirectory:firstIndex:)`` wrote.
    struct Generation: Sendable {
        var files = 0
        var directories = 0
        var bytes = 0
        var elapsed: Duration = .zero
    }

    /// Writes `files` small JSON task files (`{"text":"task 123","n":123}`) under `directory`,
    /// `perDirectory` to a subdirectory (`d0000/t0000123.json`, …).
    ///
    /// Plain `open`/`write`/`close`, so that writing 100,000 files takes seconds, not minutes.
    /// - Parameters:
    ///   - files: How many.
    ///   - directory: Where (made if missing).
    ///   - perDirectory: Files per subdirectory.
    ///   - firstIndex: The number of the first file (keeps the texts of two sets apart).
    /// - Returns: What was written and how long it took.
    /// - Throws: ``BenchError`` when a directory or file cannot be written.
    static func generate(files: Int, under directory: String, perDirectory: Int, firstIndex: Int = 0) throws -> Generation {
        let clock = ContinuousClock()
        let start = clock.now
        var generation = Generation()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let width = max(4, String(max(0, files - 1) / perDirectory).count)
        let fileWidth = max(7, String(firstIndex + files - 1).count)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var folder = ""
        for offset in 0..<files {
            if offset % perDirectory == 0 {
                folder = directory + "/d" + padded(offset / perDirectory, width)
                guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
                    throw BenchError("cannot make \(folder): \(String(cString: strerror(errno)))")
                }
                generation.directories += 1
            }
            let number = firstIndex + offset
            let path = folder + "/t" + padded(number, fileWidth) + ".json"
            let body = Array(#"{"text":"task \#(number)","n":\#(number)}"#.utf8)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
            let written = body.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            guard written == body.count else { throw BenchError("short write to \(path)") }
            generation.files += 1
            generation.bytes += body.count
        }
        generation.elapsed = clock.now - start
        return generation
    }

    // MARK: Syncs

    /// One sync (or several started together) as the benchmark saw it.
    struct SyncRun: Sendable {
        /// The jobs StartSync queued, one per storage.
        var jobIDs: [String] = []
        /// From just before the first StartSync was sent to the GetStorage reply that said the
        /// last of the syncs completed.
        var wall: Duration = .zero
        /// How long the StartSync calls took (all of them).
        var startSyncCall: Duration = .zero
        /// GetStorage calls made while waiting.
        var polls = 0
        /// The storages as the GetStorage that saw each one completed returned them.
        var storages: [FerryV1.Storage] = []
        /// CPU time (user + system) used during the sync by the worker, ferryd, and this process.
        var workerCPU: Duration?
        var ferrydCPU: Duration?
        var benchCPU: Duration?
        /// CPU time the whole machine was busy during the sync (all processes, all cores).
        var machineCPU: Duration?

        /// CPU time of processes other than ferryd, the worker and this one during the sync:
        /// other work on the machine that skews the numbers.
        var otherCPU: Duration? {
            guard let machineCPU, let workerCPU, let ferrydCPU, let benchCPU else { return nil }
            return max(.zero, machineCPU - workerCPU - ferrydCPU - benchCPU)
        }

        /// The first (for a single sync, the only) job and storage.
        var jobID: String { jobIDs.first ?? "" }
        var info: FerryV1.SyncInfo { storages.first?.sync ?? FerryV1.SyncInfo() }
        var meta: FerryV1.SyncMeta { info.meta ?? FerryV1.SyncMeta() }

        /// Tasks created and keys found existing, over every storage.
        var created: Int64 { storages.reduce(0) { $0 + ($1.sync?.lastSyncCount ?? 0) } }
        var existed: Int64 { storages.reduce(0) { $0 + ($1.sync?.meta?.tasksExisted ?? 0) } }

        /// The server's own timeline, from the unix-microsecond instants in `meta` (first storage).
        var queuedToClaimed: Duration? { span(meta.timeQueuedUnixMicros, meta.timeInProgressUnixMicros) }
        var claimedToCompleted: Duration? { span(meta.timeInProgressUnixMicros, meta.timeCompletedUnixMicros) }
        var queuedToCompleted: Duration? { span(meta.timeQueuedUnixMicros, meta.timeCompletedUnixMicros) }

        private func span(_ from: Int64, _ to: Int64) -> Duration? {
            from > 0 && to >= from ? .microseconds(to - from) : nil
        }
    }

    /// Starts a sync of each of `storageIDs` (one after the other, without waiting) and polls
    /// GetStorage every `pollInterval` until every one is completed, measuring the wall time and
    /// the CPU time of the worker and ferryd.
    ///
    /// - Parameters:
    ///   - storageIDs: The storages.
    ///   - admin: An admin connection.
    ///   - server: ferryd (for its CPU time and log).
    ///   - worker: ferry-worker (for its CPU time and log).
    ///   - pollInterval: The pause between rounds of GetStorage calls.
    /// - Returns: The measurement.
    /// - Throws: ``BenchError`` when a sync fails, completes with errors, or the worker exits.
    static func sync(
        storageIDs: [Int64],
        admin: FerryConnection,
        server: FerrydProcess,
        worker: ChildProcess,
        pollInterval: Duration
    ) async throws -> SyncRun {
        var run = SyncRun()
        let clock = ContinuousClock()
        let workerBefore = worker.cpuTime()
        let ferrydBefore = server.child.cpuTime()
        let benchBefore = ProcFS.cpuTime()
        let machineBefore = ProcFS.machineBusyTime()
        let start = clock.now
        for storageID in storageIDs {
            let started = try await admin.startSync(storageID)
            guard !started.alreadyRunning else {
                throw BenchError("StartSync found job \(started.jobID) already running for storage \(storageID)")
            }
            run.jobIDs.append(started.jobID)
        }
        run.startSyncCall = clock.now - start
        var completed: [Int: FerryV1.Storage] = [:]
        // Bounded by the caller's time limit (Bounded.run); every pass makes at most one call
        // per storage and sleeps.
        while true {
            for (index, storageID) in storageIDs.enumerated() where completed[index] == nil {
                let storage = try await admin.getStorage(storageID)
                run.polls += 1
                let info = storage.sync ?? FerryV1.SyncInfo()
                guard info.lastSyncJob == run.jobIDs[index] else { continue }
                switch info.status {
                case .completed:
                    completed[index] = storage
                case .failed, .completedWithErrors:
                    throw BenchError(
                        "sync job \(run.jobIDs[index]) of storage \(storageID) ended \(info.status) after "
                            + "\(Format.decimal((clock.now - start).seconds)) s (synced \(info.lastSyncCount), "
                            + "existed \(info.meta?.tasksExisted ?? 0), termination reason "
                            + "\(info.meta?.terminationReason ?? .unspecified)); traceback:\n\(info.traceback)\n"
                            + "ferry-worker's last log lines: " + worker.lastLogLines(5).joined(separator: " | "))
                default:
                    break
                }
            }
            if completed.count == storageIDs.count {
                run.wall = clock.now - start
                run.workerCPU = difference(worker.cpuTime(), workerBefore)
                run.ferrydCPU = difference(server.child.cpuTime(), ferrydBefore)
                run.benchCPU = difference(ProcFS.cpuTime(), benchBefore)
                run.machineCPU = difference(ProcFS.machineBusyTime(), machineBefore)
                run.storages = storageIDs.indices.compactMap { completed[$0] }
                return run
            }
            guard worker.isRunning else {
                throw BenchError("ferry-worker exited during the sync: " + worker.lastLogLines(10).joined(separator: " | "))
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    private static func difference(_ after: Duration?, _ before: Duration?) -> Duration? {
        guard let after, let before else { return nil }
        return after - before
    }
}
