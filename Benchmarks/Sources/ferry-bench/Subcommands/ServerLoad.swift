import ArgumentParser
import FerryProto

/// `ferry-bench server-load`: starts the real `ferryd` (release build of the root package) as a
/// child process, fills it with storages and claimed jobs, and measures ListStorages latency and
/// heartbeat acknowledgement latency against issue 3's targets.
struct ServerLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server-load",
        abstract: "Measure a real ferryd: ListStorages over many storages, heartbeats of many in-progress jobs."
    )

    @OptionGroup var ferrydOptions: FerrydOptions

    @OptionGroup var sourceAddressOptions: SourceAddressOptions

    @Option(help: "Storages to create.")
    var storages = 10_000

    @Option(help: "Storages with a sync started and claimed (in progress).")
    var inProgress = 1_000

    @Option(help: "Connections carrying the heartbeat streams (populating uses at most 64 admin and 64 worker connections).")
    var connections = 10

    @Option(help: "Calls in flight while populating.")
    var concurrency = 64

    @Option(help: "Measured sequential ListStorages calls per page size.")
    var listCalls = 200

    @Option(help: "Heartbeats per second per job (0.1 for one per 10 s, as workers beat once per ping interval).")
    var heartbeatRate = 10.0

    @Option(help: "Seconds of measured heartbeats.")
    var heartbeatSeconds = 15

    @Option(help: "Seconds of heartbeats before the measured window opens.")
    var warmUp = 2

    @Option(help: "Seconds each heartbeat stream may wait for its last acknowledgements after the window.")
    var drain = 20

    @Option(help: "ListStorages calls (page 100) per second during the heartbeat window, on an admin connection; 0 skips. They share ferryd's one reader connection with the heartbeats' lease checks.")
    var listRateDuringHeartbeats = 0

    @Option(help: "ferryd's --sync-ping-interval-seconds (progress is persisted at most once per job per interval).")
    var pingInterval = 0.1

    @Option(help: "Seconds of no calls after populating, over which ferryd's own CPU (the termination sweep every ping interval) is measured; 0 skips.")
    var idleSeconds = 20

    func validate() throws {
        guard storages > 0, inProgress >= 0, idleSeconds >= 0, inProgress <= storages, connections > 0, concurrency > 0, listCalls > 0,
            heartbeatRate > 0, heartbeatSeconds > 0, warmUp >= 0, drain > 0, listRateDuringHeartbeats >= 0, pingInterval > 0,
            ferrydOptions.staleAfter > 0
        else {
            throw ValidationError("counts and durations must be positive, and --in-progress at most --storages")
        }
    }

    func run() async throws {
        ProcFS.raiseFileLimit(to: 65_536)
        let certificates = try ferrydOptions.certificates.ensure()
        let executable = try ferrydOptions.executable()
        let populateLimit = Duration.seconds(120 + storages / 20 + inProgress / 10)
        let heartbeatLimit = Duration.seconds(warmUp + heartbeatSeconds + drain + 120)
        var run = try await FerrydRun.start(
            "## ferry-bench server-load", executable: executable, options: ferrydOptions, certificates: certificates,
            pingInterval: pingInterval, budget: populateLimit + heartbeatLimit + .seconds(600))
        let server = run.server
        let sources = try sourceAddressOptions.make()
        run.header.addSourceAddresses(sources)
        let target = try FerryTarget(
            port: server.port, certificates: certificates, adminToken: server.adminToken, sources: sources)

        do {
            try await measure(server: server, target: target, populateLimit: populateLimit, heartbeatLimit: heartbeatLimit, report: &run.report)
        } catch {
            run.failed("server-load", error)
        }
        await run.finish(ending: ".")
    }

    private func measure(
        server: FerrydProcess, target: FerryTarget, populateLimit: Duration, heartbeatLimit: Duration, report: inout Report
    ) async throws {
        let (storages, inProgress, connections, concurrency) = (self.storages, self.inProgress, self.connections, self.concurrency)
        let localPath = server.localFilesRoot + "/inbox"
        ProgressLog.write("[1/3] populating: \(storages) storages, \(inProgress) syncs started and claimed")
        let population = try await Bounded.run("populate", limit: populateLimit) {
            try await ServerLoadPhases.populate(
                target: target, storages: storages, inProgress: inProgress, connections: connections,
                concurrency: concurrency, localPath: localPath, log: { message in ProgressLog.write(message) })
        }
        report.add(
            "CreateStorage, \(concurrency) in flight",
            "\(Format.rate(Double(population.storageIDs.count) / max(population.createElapsed.seconds, 1e-9)))/s")
        report.note(
            "Populated \(Format.count(population.storageIDs.count)) local-files storages in "
                + "\(Format.decimal(population.createElapsed.seconds)) s, started syncs in "
                + "\(Format.decimal(population.startElapsed.seconds)) s, claimed \(Format.count(population.leases.count)) "
                + "jobs as worker-1 in \(Format.decimal(population.acquireElapsed.seconds)) s"
                + (population.failures.isEmpty ? "." : "; failures: \(population.failures.prefix(3).joined(separator: "; "))."))

        if idleSeconds > 0 {
            ProgressLog.write("[idle] \(idleSeconds) s without calls: ferryd's own CPU (termination sweep every \(pingInterval) s)")
            let start = server.child.cpuTime()
            try await Task.sleep(for: .seconds(idleSeconds))
            if let start, let end = server.child.cpuTime() {
                let share = (end - start).seconds / Double(idleSeconds) * 100
                report.add(
                    "Server CPU with no calls (sweep of \(Format.count(inProgress)) in progress every \(pingInterval) s)",
                    Format.decimal(share, 2) + " % of one core", target: "< 1 %", share < 1 ? .pass : .fail)
            }
        }

        ProgressLog.write("[2/3] ListStorages: \(listCalls) calls with page size 100 and 1000, then full walks")
        let admin = try await target.admin()
        let listCalls = self.listCalls
        for pageSize: Int32 in [0, 1000] {
            let sample = try await Bounded.run("ListStorages", limit: .seconds(300)) {
                await ServerLoadPhases.listLatency(
                    connection: admin, pageSize: pageSize, warmUp: 10, calls: listCalls, until: .now + .seconds(240))
            }
            let label = pageSize == 0 ? "default page size (100)" : "page size \(pageSize)"
            let p50 = sample.percentile(0.5)
            let pass = p50.map { $0 <= .milliseconds(20) } ?? false
            report.add("ListStorages p50, \(label)", Format.latency(p50), target: "≤ 20 ms", pass ? .pass : .fail)
            report.add("ListStorages p99, \(label)", Format.latency(sample.percentile(0.99)))
            report.note(
                "ListStorages, \(label): \(Format.count(sample.nanoseconds.count)) sequential calls after 10 warm-up; "
                    + "slowest \(Format.latency(sample.percentile(1))); \(sample.failures) failed"
                    + (sample.firstError.map { " (\($0))" } ?? "") + "; each page had \(sample.listed) storages "
                    + "(\(sample.inProgressOnPage) in progress), total_count \(sample.totalCount).")
        }
        for pageSize: Int32 in [0, 1000] {
            let walk = try await Bounded.run("ListStorages walk", limit: .seconds(300)) {
                try await ServerLoadPhases.walk(connection: admin, pageSize: pageSize, until: .now + .seconds(240))
            }
            let label = pageSize == 0 ? "page size 100" : "page size \(pageSize)"
            report.add("ListStorages full walk, \(label)", Format.latency(walk.elapsed))
            report.note(
                "Full walk, \(label): \(walk.pages) pages, \(Format.count(walk.listed)) storages "
                    + "(\(walk.inProgress) in progress, detection applied), slowest page \(Format.latency(walk.slowestPage)).")
        }

        ProgressLog.write("[3/3] heartbeats: \(population.leases.count) streams over \(connections) connections, "
            + "\(heartbeatRate)/s each, \(warmUp) s warm-up + \(heartbeatSeconds) s")
        let (leases, rate, warmUp, seconds, drain) = (population.leases, heartbeatRate, self.warmUp, heartbeatSeconds, self.drain)
        let listRate = listRateDuringHeartbeats
        let result = try await Bounded.run("heartbeats", limit: heartbeatLimit) {
            try await ServerLoadPhases.heartbeats(
                target: target, server: server, leases: leases, connections: connections, rate: rate,
                warmUp: .seconds(warmUp), duration: .seconds(seconds), drain: .seconds(drain),
                listingConnection: listRate > 0 ? admin : nil, listingPause: .seconds(1) / max(1, listRate))
        }
        await admin.close()
        let p99 = result.percentile(0.99)
        let valid = result.streams >= 1000 && result.sentInWindow > 0
        let verdict: Report.Verdict = !valid ? .invalid : (p99.value.map { $0 <= .milliseconds(5) } ?? false) ? .pass : .fail
        let unacked = "not acked within \(drain) s"
        func show(_ value: (value: Duration?, unacknowledged: Bool)) -> String {
            value.unacknowledged ? unacked : Format.latency(value.value)
        }
        report.add("Heartbeat ack p50", show(result.percentile(0.5)))
        report.add("Heartbeat ack p99", show(p99), target: "≤ 5 ms", verdict)
        report.add("Heartbeat ack max", show(result.percentile(1)))
        let windowSeconds = Double(self.heartbeatSeconds)
        report.add(
            "Heartbeats acknowledged/s in the window (offered \(Format.rate(Double(result.streams) * result.rate))/s)",
            Format.rate(Double(result.ackedInWindow) / windowSeconds))
        report.add("ferryd RSS after the window", result.serverRSS.map { Format.mebibytes(UInt64($0)) } ?? "n/a")
        report.add(
            "Server CPU per acknowledged heartbeat",
            result.cpuPerHeartbeat.map { Format.decimal($0.seconds * 1e6, 1) + " µs" } ?? "n/a")
        if let listing = result.listingUnderLoad {
            report.add("ListStorages p50 during heartbeats (page 100, \(listRate)/s)", Format.latency(listing.percentile(0.5)))
            report.add("ListStorages p99 during heartbeats (page 100, \(listRate)/s)", Format.latency(listing.percentile(0.99)))
        }
        report.note(
            "Heartbeats: \(result.streams) streams (one per claimed job) over \(result.connections) worker connections, "
                + "\(result.rate)/s each with ticks staggered in 1-ms slots (one metronome task writes them all); \(Format.count(result.sent)) sent, "
                + "\(Format.count(result.acked)) acked, \(result.notAcked) refused (ack = false), \(result.unmatched) unmatched; "
                + "of the \(Format.count(result.sentInWindow)) sent in the window \(Format.count(result.unackedInWindow)) were not "
                + "acknowledged within \(drain) s after it (they count as slower than any acked one); "
                + "\(result.lateSends) sent more than one period late (client behind); latency = write → matching "
                + "HeartbeatResponse.acked_sequence, for heartbeats sent in the last \(heartbeatSeconds) s; server CPU \(result.serverCPU.map { Format.decimal($0.seconds, 2) + " s" } ?? "n/a") "
                + "over the window (\(Format.decimal((result.serverCPU?.seconds ?? 0) / windowSeconds * 100, 0)) % of one core), "
                + "this measuring process \(result.clientCPU.map { Format.decimal($0.seconds, 2) + " s" } ?? "n/a") "
                + "(\(Format.decimal((result.clientCPU?.seconds ?? 0) / windowSeconds * 100, 0)) % of one core). "
                + "ferryd --sync-ping-interval-seconds \(pingInterval): progress persisted at most once per job per interval "
                + "(≈ \(Format.rate(Double(result.streams) * min(rate, 1 / pingInterval))) "
                + "\(ferrydOptions.databaseURL == nil ? "SQLite" : "PostgreSQL") writes/s)."
                + (result.streamErrors.isEmpty
                    ? "" : " \(result.streamErrors.count) streams ended with an error, e.g. \(result.streamErrors.prefix(2).joined(separator: "; ")).")
        )
    }
}
