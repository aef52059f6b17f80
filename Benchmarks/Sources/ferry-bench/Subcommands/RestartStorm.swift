import ArgumentParser
import FerryProto
import FerryTransport
import Foundation

/// `ferry-bench restart-storm`: many workers' heartbeat streams against a real `ferryd`, which is
/// killed with SIGKILL and started again on the same database and port; measures how long until
/// every stream is back, how the restarted server's handshakes went (resumed or full), and
/// whether any sync failed or any stream was dropped by anything but the kill.
struct RestartStorm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart-storm",
        abstract: "Kill -9 and restart a ferryd that serves many workers' heartbeat streams; time their return."
    )

    @OptionGroup var ferrydOptions: FerrydOptions

    @OptionGroup var sourceAddressOptions: SourceAddressOptions

    @Option(help: "Heartbeat streams, each on a connection of its own, each holding a claimed job.")
    var streams = 10_000

    @Option(help: "Seconds between a stream's heartbeats.")
    var beatInterval = 1.0

    @Option(help: "ferryd's --sync-ping-interval-seconds.")
    var pingInterval = 10.0

    @Option(help: "Seconds of heartbeats after every stream was acknowledged, before the kill.")
    var steady = 5.0

    @Option(help: "Seconds the streams have to come back after the kill before the run gives up.")
    var recoveryLimit = 90.0

    @Option(help: "Seconds of heartbeats after the last stream came back.")
    var after = 5.0

    @Option(help: "First wait after a lost stream, as ferry-worker's backoff.initialSeconds.")
    var backoffInitial = 1.0

    @Option(help: "Longest wait between attempts, as ferry-worker's backoff.maximumSeconds.")
    var backoffMaximum = 30.0

    func validate() throws {
        guard streams > 0, beatInterval > 0, pingInterval > 0, steady >= 0, recoveryLimit > 0, after >= 0,
            backoffInitial > 0, backoffMaximum >= backoffInitial
        else {
            throw ValidationError("counts and durations must be positive, and --backoff-maximum at least --backoff-initial")
        }
    }

    func run() async throws {
        ProcFS.raiseFileLimit(to: 65_536)
        let certificates = try ferrydOptions.certificates.ensure()
        let metricsPort = try FerrydProcess.freePort()
        var run = try await FerrydRun.start(
            "## ferry-bench restart-storm", executable: try ferrydOptions.executable(), options: ferrydOptions,
            certificates: certificates, pingInterval: pingInterval,
            extraArguments: ["--metrics-listen", "127.0.0.1:\(metricsPort)"],
            budget: .seconds(600 + streams / 10) + .seconds(recoveryLimit))
        do {
            try await measure(&run, certificates: certificates, metricsPort: metricsPort)
        } catch {
            run.failed("restart-storm", error)
        }
        await run.finish(ending: ".")
    }

    private func measure(_ run: inout FerrydRun, certificates: BenchCertificates, metricsPort: Int) async throws {
        let sources = try sourceAddressOptions.make()
        run.header.addSourceAddresses(sources)
        let target = try FerryTarget(
            port: run.server.port, certificates: certificates, adminToken: run.server.adminToken, sources: sources)
        ProgressLog.write("[1/4] populating: \(streams) storages with a sync claimed")
        let population = try await ServerLoadPhases.populate(
            target: target, storages: streams, inProgress: streams, connections: 16, concurrency: 64,
            localPath: run.server.localFilesRoot + "/inbox", log: { ProgressLog.write($0) })
        let leases = population.leases
        guard leases.count == streams else { throw BenchError("only \(leases.count) of \(streams) jobs were claimed") }

        let standby = try run.server.standby()
        ProgressLog.write("[2/4] opening \(streams) worker connections and their heartbeat streams")
        let connections = try await ServerLoadPhases.parallel(count: streams, concurrency: 16) { _ in try await target.worker() }
        guard connections.values.count == streams else {
            throw BenchError("only \(connections.values.count) connections opened: \(connections.errors.prefix(2))")
        }
        var backoff = ConnectionBackoff()
        backoff.initial = .seconds(backoffInitial)
        backoff.maximum = .seconds(backoffMaximum)
        let outcomes = leases.map { _ in Locked(RestartStormStreams.Outcome()) }
        let (period, connectionList) = (Duration.seconds(beatInterval), connections.values)
        let streamsTask = Task {
            await RestartStormStreams.run(
                leases: leases, connections: connectionList, period: period, end: .now + .seconds(3600), backoff: backoff,
                outcomes: outcomes)
        }
        defer { streamsTask.cancel() }
        try await waitUntil("every stream acknowledged", limit: .seconds(120)) {
            outcomes.allSatisfy { $0.withLock { $0.firstAck != nil } }
        }
        try await Task.sleep(for: .seconds(steady))

        ProgressLog.write("[3/4] kill -9 ferryd, start it again")
        let killedAt = MonotonicTime.nanoseconds()
        try await run.killAndRelaunch(standby: standby)
        let listeningAt = MonotonicTime.nanoseconds()
        let cpuAtStart = run.server.child.cpuTime()
        let clientCPUAtStart = ProcFS.cpuTime()
        let recovered = try? await waitUntil("every stream back", limit: .seconds(recoveryLimit)) {
            outcomes.allSatisfy { outcome in
                outcome.withLock { $0.fatal != nil || $0.outages.last.map { $0.backAt != nil } ?? true }
            }
        }
        let recoveredAt = MonotonicTime.nanoseconds()
        let cpuAtRecovery = run.server.child.cpuTime()
        let clientCPUAtRecovery = ProcFS.cpuTime()
        try await Task.sleep(for: .seconds(after))
        streamsTask.cancel()
        await streamsTask.value
        for connection in connectionList { await connection.close() }

        ProgressLog.write("[4/4] reading the restarted ferryd's handshake counts and every storage's status")
        let metrics = try MetricsScrape.text(port: metricsPort)
        let admin = try await target.admin()
        let walk = try await ServerLoadPhases.walk(connection: admin, pageSize: 1000, until: .now + .seconds(120))
        await admin.close()

        let results = outcomes.map { $0.withLock { $0 } }
        let summary = RestartStormSummary(results: results, killedAt: killedAt)
        let seconds = { (nanos: UInt64) in Format.decimal(Double(nanos) / 1e9, 2) + " s" }
        run.report.add("Heartbeat streams (one connection and one claimed job each)", Format.count(streams))
        run.report.add("ferryd down (kill -9 → listening again)", seconds(listeningAt - killedAt))
        let within = recovered != nil && summary.slowest.map { $0 <= 15_000_000_000 } ?? false
        run.report.add(
            "Every stream back (kill → its first acknowledgement)", summary.slowest.map(seconds) ?? "not all back",
            target: "≤ 15 s", within ? .pass : .fail)
        run.report.add("Stream back p50 / p99", "\(summary.percentile(0.5).map(seconds) ?? "n/a") / \(summary.percentile(0.99).map(seconds) ?? "n/a")")
        let resumed = MetricsScrape.sum("ferry_tls_handshakes_total", labels: ["role=\"server\"", "resumed=\"true\""], in: metrics)
        let full = MetricsScrape.sum("ferry_tls_handshakes_total", labels: ["role=\"server\"", "resumed=\"false\""], in: metrics)
        run.report.add("Handshakes by the restarted ferryd: resumed / full", "\(Format.count(Int(resumed))) / \(Format.count(Int(full)))")
        let failed = walk.listed - walk.inProgress
        run.report.add("Syncs failed", Format.count(failed), target: "0", failed == 0 && walk.listed == streams ? .pass : .fail)
        run.report.add(
            "Streams dropped by anything but the kill", Format.count(summary.otherDrops), target: "0",
            summary.otherDrops == 0 ? .pass : .fail)
        run.report.add("Leases refused / streams given up", "\(Format.count(summary.refused)) / \(Format.count(summary.fatal.count))")
        if let start = cpuAtStart, let end = cpuAtRecovery {
            run.report.add("ferryd CPU from listening to the last stream back", Format.decimal(end.seconds - start.seconds, 2) + " s")
        }
        if let start = clientCPUAtStart, let end = clientCPUAtRecovery {
            run.report.add("Workers' CPU (this process) over the same time", Format.decimal(end.seconds - start.seconds, 2) + " s")
        }
        run.report.add("Streams opened per stream after the kill (mean / max)", summary.attemptsText)
        run.report.note(
            "Restart storm: \(streams) streams beating every \(beatInterval) s, ferryd ping interval \(pingInterval) s, "
                + "stale_after \(ferrydOptions.staleAfter) s; after kill -9 each stream waited ferry-worker's backoff "
                + "(\(backoffInitial) s × 1.6, ±20 %, at most \(backoffMaximum) s) before opening a new stream on its "
                + "connection. Streams lost \(Format.count(summary.outagesAfterKill)) times after the kill "
                + "(errors: \(summary.errors)); the last came back \(seconds(recoveredAt - listeningAt)) after ferryd listened. "
                + "\(walk.listed) storages listed, \(walk.inProgress) in progress."
                + (summary.fatal.isEmpty ? "" : " Given up: \(summary.fatal.prefix(2).joined(separator: "; ")).")
        )
    }

    /// Polls `condition` every 100 ms until it holds.
    ///
    /// - Throws: ``BenchError`` when `limit` passes first.
    @discardableResult
    private func waitUntil(_ what: String, limit: Duration, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        // Bounded by the deadline.
        while !condition() {
            guard ContinuousClock.now < deadline else { throw BenchError("not \(what) within \(limit)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        return true
    }
}

/// What the streams of a restart storm went through, counted for the report.
struct RestartStormSummary {
    /// For each stream that lost its stream after the kill: nanoseconds from the kill to its
    /// first acknowledgement after it (`nil` for one that never came back).
    var recoveries: [UInt64?] = []
    /// Outages that began before the kill, or after the stream had come back from it.
    var otherDrops = 0
    var outagesAfterKill = 0
    var refused = 0
    var fatal: [String] = []
    /// Why streams were lost after the kill, by status code.
    var errors: [String: Int] = [:]
    /// Streams opened after the first one, per stream.
    var retries: [Int] = []

    init(results: [RestartStormStreams.Outcome], killedAt: UInt64) {
        for result in results {
            refused += result.refused
            retries.append(max(0, result.attempts - 1))
            if let fatal = result.fatal { self.fatal.append(fatal) }
            let afterKill = result.outages.filter { $0.lostAt >= killedAt }
            otherDrops += result.outages.count - afterKill.count + max(0, afterKill.count - 1)
            outagesAfterKill += afterKill.count
            for outage in afterKill { errors[outage.error, default: 0] += 1 }
            if let first = afterKill.first { recoveries.append(first.backAt.map { $0 - killedAt }) }
        }
    }

    /// `mean / max` of the streams each stream opened after its first.
    var attemptsText: String {
        let mean = retries.isEmpty ? 0 : Double(retries.reduce(0, +)) / Double(retries.count)
        return Format.decimal(mean, 2) + " / " + Format.count(retries.max() ?? 0)
    }

    /// The slowest recovery; `nil` when a stream never came back.
    var slowest: UInt64? {
        recoveries.contains(where: { $0 == nil }) ? nil : recoveries.compactMap { $0 }.max()
    }

    /// The nearest-rank percentile of the recoveries that happened, in nanoseconds.
    func percentile(_ fraction: Double) -> UInt64? {
        LatencySample.percentile(fraction, of: recoveries.compactMap { $0.map { Int64($0) } })
            .map { UInt64($0.nanoseconds) }
    }
}
