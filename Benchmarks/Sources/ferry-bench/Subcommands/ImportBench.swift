import ArgumentParser
import FerryProto

#if canImport(Glibc)
import Glibc
#endif

/// `ferry-bench import`: starts the real `ferryd` and `ferry-worker` (release builds of the root
/// package) as child processes, writes many small task files under ferryd's local-files root,
/// and measures a first sync and a no-op re-sync of one recursive local import storage against
/// issue 4's targets.
struct ImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Measure a real ferryd + ferry-worker: first import of many local task files, then a no-op re-sync.",
        discussion: """
            Prerequisites, from the repository root (serialise builds with flock on a shared machine; \
            `swift build` builds only the last of several --product flags, hence two commands):

              flock -o /tmp/ferry-build.lock swift build -c release --product ferryd
              flock -o /tmp/ferry-build.lock swift build -c release --product ferry-worker
              flock -o /tmp/ferry-build.lock swift build -c release --package-path Benchmarks

            ferryd and ferry-worker are found as .build/release/ferryd and .build/release/ferry-worker of \
            the repository (or --ferryd PATH, --ferry-worker PATH). Targets (issue 4): first sync ≥ 25,000 \
            tasks/s, no-op re-sync ≥ 300,000 keys/s, both over the wall time from StartSync to the GetStorage \
            reply that says completed.
            """
    )

    @OptionGroup var ferrydOptions: FerrydOptions

    @Option(help: "The ferry-worker executable (default: .build/release/ferry-worker of the repository).")
    var ferryWorker: String?

    @Option(help: "Task files to write and import (one task each).")
    var files = 100_000

    @Option(help: "Task files per subdirectory.")
    var filesPerDirectory = 1_000

    @Option(help: "ferry-worker's --import-batch-size: tasks handed over per SubmitImportBatch (the worker's default).")
    var batchSize = 5_000

    @Option(help: "Files of a separate storage (another project) synced first, unmeasured, so that the worker is connected and warm; 0 skips.")
    var warmUpFiles = 1_000

    @Option(help: "Milliseconds between GetStorage calls while waiting for a sync to complete.")
    var pollMilliseconds = 20

    @Option(help: "ferryd's --sync-ping-interval-seconds (the worker heartbeats this often; production default 10).")
    var pingInterval = 10.0

    @Option(help: "ferry-worker's --log-level.")
    var workerLogLevel = "info"

    @Option(
        help: """
            Diagnostic, after the measured syncs: write --files more files split over this many storages \
            (project 3), start all their syncs at once (ferry-worker runs them in parallel, --worker-max-jobs \
            at least this), then re-sync them all. Shows what overlapping the pipeline's steps would give; 0 skips.
            """)
    var concurrentStorages = 0

    func validate() throws {
        guard files > 0, filesPerDirectory > 0, (1...5_000).contains(batchSize), warmUpFiles >= 0, pollMilliseconds > 0,
            pingInterval > 0, ferrydOptions.staleAfter > 0, (0...64).contains(concurrentStorages)
        else {
            throw ValidationError(
                "counts and durations must be positive, --batch-size between 1 and 5000, --concurrent-storages between 0 and 64")
        }
    }

    func run() async throws {
        ProcFS.raiseFileLimit(to: 65_536)
        let certificates = try ferrydOptions.certificates.ensure()
        let ferrydExecutable = try ferrydOptions.executable()
        let workerExecutable = try ferryWorker ?? ChildProcess.defaultExecutable("ferry-worker")
        let diagnostic = concurrentStorages > 0 ? 1 : 0
        let generateLimit = Duration.seconds(60 + (files * (1 + diagnostic) + warmUpFiles) / 500)
        let syncLimit = Duration.seconds(120 + files / 200)
        var run = try await FerrydRun.start(
            "## ferry-bench import", executable: ferrydExecutable, options: ferrydOptions, certificates: certificates,
            pingInterval: pingInterval, budget: generateLimit + syncLimit * (3 + 2 * diagnostic) + .seconds(300))

        var worker: ChildProcess?
        do {
            let server = run.server
            let target = try FerryTarget(port: server.port, certificates: certificates, adminToken: server.adminToken)
            try await measure(
                server: server, target: target, certificates: certificates, workerExecutable: workerExecutable,
                generateLimit: generateLimit, syncLimit: syncLimit, watchdog: run.watchdog, worker: &worker,
                header: &run.header, report: &run.report)
        } catch {
            run.failed("import", error)
            if let worker { run.report.note("ferry-worker's last log lines: " + worker.lastLogLines(5).joined(separator: " | ")) }
        }
        if let worker {
            let end = await worker.stop()
            run.watchdog.watch(child: nil, role: "worker")
            run.report.note(end + ".")
        }
        await run.finish(ending: "; its directory (database, task files) removed.")
    }

    private func measure(
        server: FerrydProcess,
        target: FerryTarget,
        certificates: BenchCertificates,
        workerExecutable: String,
        generateLimit: Duration,
        syncLimit: Duration,
        watchdog: Watchdog,
        worker: inout ChildProcess?,
        header: inout ReportHeader,
        report: inout Report
    ) async throws {
        let (files, perDirectory, warmUpFiles) = (self.files, filesPerDirectory, self.warmUpFiles)
        let importPath = server.localFilesRoot + "/import"
        let warmUpPath = server.localFilesRoot + "/warm-up"

        ProgressLog.write("[1/4] writing \(Format.count(files)) task files (+ \(Format.count(warmUpFiles)) for the warm-up) under \(server.localFilesRoot)")
        let generation = try await Bounded.run("writing task files", limit: generateLimit) {
            let warmUp = try ImportPhases.generate(
                files: warmUpFiles, under: warmUpPath, perDirectory: perDirectory, firstIndex: 10_000_000)
            let measured = try ImportPhases.generate(files: files, under: importPath, perDirectory: perDirectory)
            return (warmUp: warmUp, measured: measured)
        }
        // Write the new files back now, so that the kernel's writeback does not compete with the syncs.
        let flushStart = ContinuousClock.now
        sync()
        let flushed = ContinuousClock.now - flushStart
        report.add(
            "Task files written (setup, not measured)",
            "\(Format.count(generation.measured.files)) in \(Format.decimal(generation.measured.elapsed.seconds)) s")
        report.note(
            "Setup: \(Format.count(generation.measured.files)) task files (\(Format.count(generation.measured.bytes)) bytes, "
                + "`{\"text\":\"task N\",\"n\":N}`) in \(generation.measured.directories) subdirectories of "
                + "\(Format.count(perDirectory)) under `\(importPath)`, written in "
                + "\(Format.decimal(generation.measured.elapsed.seconds)) s, then sync(2) in \(Format.decimal(flushed.seconds)) s "
                + "so that writeback does not run during the measurement; the page cache holds them (warm reads).")

        let launched = try await WorkerChildProcess.launch(
            executable: workerExecutable, server: server, certificates: certificates, batchSize: batchSize,
            maxJobs: max(2, concurrentStorages), logLevel: workerLogLevel)
        worker = launched
        watchdog.watch(child: launched.pid, role: "worker")
        header.add("Worker", child: launched)

        let admin = try await target.admin()
        defer { Task { await admin.close() } }
        let storage = try await admin.createLocalStorage(title: "bench import", path: importPath, projectID: 1, recursive: true)
        let poll = Duration.milliseconds(pollMilliseconds)

        if warmUpFiles > 0 {
            ProgressLog.write("[2/4] warm-up: syncing \(Format.count(warmUpFiles)) files of another storage (project 2)")
            let warmUpStorage = try await admin.createLocalStorage(
                title: "bench import warm-up", path: warmUpPath, projectID: 2, recursive: true)
            let warmUp = try await Bounded.run("warm-up sync", limit: .seconds(120)) {
                try await ImportPhases.sync(
                    storageIDs: [warmUpStorage.id], admin: admin, server: server, worker: launched, pollInterval: poll)
            }
            report.note(
                "Warm-up (unmeasured): \(Format.count(warmUp.info.lastSyncCount)) tasks of storage \(warmUpStorage.id) "
                    + "(project 2) in \(Format.decimal(warmUp.wall.seconds, 3)) s; it makes sure the worker is connected and "
                    + "long-polling AcquireJob before the measured StartSync.")
        } else {
            ProgressLog.write("[2/4] no warm-up; giving the worker 1 s to connect")
            try await Task.sleep(for: .seconds(1))
        }

        ProgressLog.write("[3/4] first sync of storage \(storage.id): \(Format.count(files)) files, batch size \(batchSize)")
        let first = try await Bounded.run("first sync", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: launched, pollInterval: poll)
        }
        let created = first.created
        let firstValid = created == Int64(files)
        let taskRate = Double(created) / max(first.wall.seconds, 1e-9)
        report.add(
            "First sync: tasks/s (\(Format.count(files)) files, batch \(batchSize))", "\(Format.rate(taskRate)) tasks/s",
            target: "≥ 25,000 tasks/s", !firstValid ? .invalid : taskRate >= 25_000 ? .pass : .fail)
        report.add("First sync: last_sync_count", Format.count(created), target: "= \(Format.count(files))", firstValid ? .pass : .fail)
        addTimings("First sync", first, count: created, unit: "tasks/s", report: &report)
        if !firstValid {
            report.note(
                "First sync marked invalid: last_sync_count \(created) ≠ \(files) files (tasks_existed "
                    + "\(first.meta.tasksExisted), failed validation \(first.meta.tasksFailedValidation)).")
        }

        ProgressLog.write("[4/4] re-sync (no-op) of storage \(storage.id)")
        let second = try await Bounded.run("re-sync", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: [storage.id], admin: admin, server: server, worker: launched, pollInterval: poll)
        }
        let existed = second.existed
        let secondValid = second.info.lastSyncCount == 0 && existed == Int64(files)
        let keyRate = Double(existed) / max(second.wall.seconds, 1e-9)
        report.add(
            "Re-sync (no-op): keys/s", "\(Format.rate(keyRate)) keys/s",
            target: "≥ 300,000 keys/s", !secondValid ? .invalid : keyRate >= 300_000 ? .pass : .fail)
        report.add(
            "Re-sync: last_sync_count / tasks_existed",
            "\(Format.count(second.info.lastSyncCount)) / \(Format.count(existed))",
            target: "0 / \(Format.count(files))", secondValid ? .pass : .fail)
        addTimings("Re-sync", second, count: existed, unit: "keys/s", report: &report)

        for (label, run) in [("First sync", first), ("Re-sync", second)] {
            let meta = run.meta
            report.note(
                "\(label): job \(run.jobID); StartSync call \(Format.latency(run.startSyncCall)); \(run.polls) GetStorage "
                    + "polls every \(pollMilliseconds) ms; meta: duration_micros \(Format.count(meta.durationMicros)), "
                    + "objects_scanned \(Format.count(meta.objectsScanned)), tasks_existed \(Format.count(meta.tasksExisted)), "
                    + "failed validation \(meta.tasksFailedValidation), bytes \(Format.count(meta.bytesTransferred)), "
                    + "attempts \(meta.attempts), worker \(meta.workerID); this measuring process used "
                    + "\(Format.decimal(run.benchCPU?.seconds, 2)) s CPU (polling).")
        }
        if concurrentStorages > 0 {
            try await measureConcurrent(
                server: server, worker: launched, admin: admin, generateLimit: generateLimit, syncLimit: syncLimit,
                report: &report)
        }

        let jobLines = launched.logLines(where: { $0.contains("Job started") || $0.contains("Job ended") })
        if !jobLines.isEmpty {
            report.note("ferry-worker's job log: " + jobLines.suffix(4).joined(separator: " | "))
        }
        report.note(
            "Wall time runs from just before StartSync is sent to the GetStorage reply that says completed (resolution: "
                + "the \(pollMilliseconds) ms poll plus one round trip); it includes the worker's claim (ferryd's AcquireJob "
                + "long-poll checks the queue every 100 ms), which is the 'queued → claimed' row. ferryd's CPU includes "
                + "answering the polls. CPU times come from /proc/PID/stat (10 ms ticks); 'other processes' is the "
                + "machine's busy time from /proc/stat minus ferryd, the worker and this process: more than a few "
                + "percent of a core means other work (a build, tests) competed for the 2 cores and the run should be repeated.")
    }

    /// The diagnostic of `--concurrent-storages`: the same number of fresh files over K storages,
    /// synced at once, then re-synced at once.
    private func measureConcurrent(
        server: FerrydProcess,
        worker: ChildProcess,
        admin: FerryConnection,
        generateLimit: Duration,
        syncLimit: Duration,
        report: inout Report
    ) async throws {
        let (files, perDirectory, storages) = (self.files, filesPerDirectory, concurrentStorages)
        let share = (files + storages - 1) / storages
        let counts = (0..<storages).map { max(0, min(share, files - $0 * share)) }
        let root = server.localFilesRoot + "/split"
        ProgressLog.write("diagnostic: writing \(Format.count(files)) more files over \(storages) storages")
        let generated = try await Bounded.run("writing split task files", limit: generateLimit) {
            try counts.enumerated().map { index, count in
                try ImportPhases.generate(
                    files: count, under: root + "/p\(index)", perDirectory: perDirectory, firstIndex: 20_000_000 + index * share)
            }
        }
        var ids: [Int64] = []
        for index in 0..<storages {
            ids.append(
                try await admin.createLocalStorage(
                    title: "bench import split \(index)", path: root + "/p\(index)", projectID: 3, recursive: true
                ).id)
        }
        let poll = Duration.milliseconds(pollMilliseconds)
        let storageIDs = ids
        ProgressLog.write("diagnostic: first sync of \(storages) storages at once")
        let first = try await Bounded.run("concurrent first sync", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: storageIDs, admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        ProgressLog.write("diagnostic: re-sync of \(storages) storages at once")
        let second = try await Bounded.run("concurrent re-sync", limit: syncLimit) {
            try await ImportPhases.sync(storageIDs: storageIDs, admin: admin, server: server, worker: worker, pollInterval: poll)
        }
        let label = "\(storages) storages synced at once (diagnostic)"
        report.add(
            "First sync, \(label): tasks/s", "\(Format.rate(Double(first.created) / max(first.wall.seconds, 1e-9))) tasks/s")
        report.add("First sync, \(label): ferry-worker / ferryd CPU", "\(cpu(first.workerCPU, over: first.wall)) / \(cpu(first.ferrydCPU, over: first.wall))")
        report.add(
            "Re-sync, \(label): keys/s", "\(Format.rate(Double(second.existed) / max(second.wall.seconds, 1e-9))) keys/s")
        report.add("Re-sync, \(label): ferry-worker / ferryd CPU", "\(cpu(second.workerCPU, over: second.wall)) / \(cpu(second.ferrydCPU, over: second.wall))")
        report.note(
            "Diagnostic, \(storages) storages synced at once: \(Format.count(generated.reduce(0) { $0 + $1.files })) fresh files in "
                + "\(storages) storages of \(counts.map { Format.count($0) }.joined(separator: ", ")) files (project 3); the first "
                + "sync created \(Format.count(first.created)) tasks (existed \(Format.count(first.existed))) in "
                + "\(Format.latency(first.wall)), the re-sync found \(Format.count(second.existed)) keys existing (created "
                + "\(Format.count(second.created))) in \(Format.latency(second.wall)); wall = first StartSync → last completed. "
                + "The worker runs the jobs side by side, so one job's server calls overlap another's listing and reading: "
                + "an estimate of what pipelining inside one job could give.")
    }

    private func addTimings(_ label: String, _ run: ImportPhases.SyncRun, count: Int64, unit: String, report: inout Report) {
        report.add("\(label): wall time, StartSync → completed seen", Format.latency(run.wall))
        report.add("\(label): server-side, claimed → completed (time_in_progress → time_completed)", Format.latency(run.claimedToCompleted))
        report.add("\(label): server-side, queued → claimed", Format.latency(run.queuedToClaimed))
        if let serverSide = run.claimedToCompleted, serverSide > .zero {
            report.add("\(label): \(unit) over claimed → completed (diagnostic)", Format.rate(Double(count) / serverSide.seconds))
        }
        report.add("\(label): ferry-worker CPU", cpu(run.workerCPU, over: run.wall))
        report.add("\(label): ferryd CPU", cpu(run.ferrydCPU, over: run.wall))
        report.add("\(label): other processes' CPU (should be ≈ 0)", cpu(run.otherCPU, over: run.wall))
    }

    private func cpu(_ time: Duration?, over wall: Duration) -> String {
        guard let time else { return "n/a" }
        return "\(Format.decimal(time.seconds, 2)) s (\(Format.decimal(time.seconds / max(wall.seconds, 1e-9) * 100, 0)) % of one core)"
    }
}
