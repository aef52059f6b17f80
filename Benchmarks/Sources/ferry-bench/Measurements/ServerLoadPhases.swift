import FerryProto
import FerryRPC
import Foundation

/// The phases of `server-load` against a real `ferryd`: populating it, listing storages, and
/// heartbeating every claimed job.
enum ServerLoadPhases {
    // MARK: Populate

    /// Connections of each kind that populating uses at most.
    static let populateConnectionLimit = 64

    struct Population: Sendable {
        var storageIDs: [Int64] = []
        var leases: [FerryV1.JobLease] = []
        var createElapsed: Duration = .zero
        var startElapsed: Duration = .zero
        var acquireElapsed: Duration = .zero
        var failures: [String] = []
    }

    /// Creates `storages` local-files storages, starts a sync on the first `inProgress` of them
    /// and claims those jobs as `worker-1`, over at most `populateConnectionLimit` admin and as
    /// many worker connections (closed before it returns, so the heartbeat phase can open many).
    static func populate(
        target: FerryTarget,
        storages: Int,
        inProgress: Int,
        connections: Int,
        concurrency: Int,
        localPath: String,
        log: @escaping @Sendable (String) -> Void
    ) async throws -> Population {
        var population = Population()
        let connections = min(connections, populateConnectionLimit)
        let admins = try await (0..<connections).asyncMap { _ in try await target.admin() }
        let clock = ContinuousClock()

        // 1. CreateStorage × storages, `concurrency` loops over `connections` connections.
        var start = clock.now
        let created = try await parallel(count: storages, concurrency: concurrency) { index in
            try await admins[index % admins.count].createLocalStorage(
                title: "bench storage \(index)", path: localPath, projectID: Int64(1 + index % 10))
                .id
        }
        population.createElapsed = clock.now - start
        population.storageIDs = created.values.sorted()
        population.failures += created.errors
        log("created \(population.storageIDs.count) storages in \(Format.decimal(population.createElapsed.seconds)) s")
        guard population.storageIDs.count >= inProgress else {
            for admin in admins { await admin.close() }
            throw BenchError("only \(population.storageIDs.count) storages were created: \(created.errors.prefix(3))")
        }

        // 2. StartSync on the first `inProgress`.
        start = clock.now
        let ids = Array(population.storageIDs.prefix(inProgress))
        let started = try await parallel(count: ids.count, concurrency: concurrency) { index in
            try await admins[index % admins.count].startSync(ids[index]).jobID
        }
        population.startElapsed = clock.now - start
        population.failures += started.errors
        log("started \(started.values.count) syncs in \(Format.decimal(population.startElapsed.seconds)) s")

        // 3. AcquireJob as worker-1 (one instance id) until every started job is claimed.
        start = clock.now
        let workers = try await (0..<connections).asyncMap { _ in try await target.worker() }
        let wanted = started.values.count
        let deadline = clock.now + .seconds(300)
        // Bounded by the deadline and by rounds that claim nothing.
        var emptyRounds = 0
        while population.leases.count < wanted, clock.now < deadline, emptyRounds < 3 {
            let missing = wanted - population.leases.count
            let acquired = try await parallel(count: missing, concurrency: min(concurrency, 16)) { index in
                let reply = try await workers[index % workers.count].acquireJob(instance: "ferry-bench-instance")
                guard let job = reply.job else { throw BenchError("AcquireJob returned no job") }
                return FerryV1.JobLease(jobID: job.id, leaseToken: job.leaseToken, instanceID: "ferry-bench-instance")
            }
            population.leases += acquired.values
            emptyRounds = acquired.values.isEmpty ? emptyRounds + 1 : 0
            if acquired.values.isEmpty { population.failures += acquired.errors.prefix(3) }
        }
        population.acquireElapsed = clock.now - start
        for connection in admins + workers { await connection.close() }
        log("claimed \(population.leases.count) jobs in \(Format.decimal(population.acquireElapsed.seconds)) s")
        return population
    }

    // MARK: ListStorages

    struct ListingSample: Sendable {
        var pageSize: Int32
        var nanoseconds: [Int64] = []
        var failures = 0
        var firstError: String?
        /// Storages on the last page read, and the total the server reported.
        var listed = 0
        var totalCount: Int64 = 0
        var inProgressOnPage = 0

        func percentile(_ fraction: Double) -> Duration? {
            LatencySample.percentile(fraction, of: nanoseconds)
        }
    }

    /// `calls` sequential first-page ListStorages calls (after `warmUp` unmeasured ones).
    static func listLatency(
        connection: FerryConnection,
        pageSize: Int32,
        warmUp: Int,
        calls: Int,
        pause: Duration = .zero,
        until deadline: ContinuousClock.Instant
    ) async -> ListingSample {
        let clock = ContinuousClock()
        var sample = ListingSample(pageSize: pageSize)
        for _ in 0..<warmUp where clock.now < deadline {
            _ = try? await connection.listStorages(pageSize: pageSize)
        }
        // Bounded by `calls` and the deadline.
        for _ in 0..<calls {
            guard clock.now < deadline, !Task.isCancelled else { break }
            let start = clock.now
            do {
                let reply = try await connection.listStorages(pageSize: pageSize)
                sample.nanoseconds.append((clock.now - start).nanoseconds)
                sample.listed = reply.storages.count
                sample.totalCount = reply.totalCount
                sample.inProgressOnPage = reply.storages.count(where: { $0.sync?.status == .inProgress })
            } catch {
                sample.failures += 1
                if sample.firstError == nil { sample.firstError = "\(error)" }
            }
            if pause > .zero { try? await Task.sleep(for: pause) }
        }
        return sample
    }

    struct Walk: Sendable {
        var pageSize: Int32
        var elapsed: Duration = .zero
        var pages = 0
        var listed = 0
        var inProgress = 0
        var slowestPage: Duration = .zero
    }

    /// Lists every storage, page by page.
    static func walk(connection: FerryConnection, pageSize: Int32, until deadline: ContinuousClock.Instant) async throws
        -> Walk
    {
        let clock = ContinuousClock()
        var walk = Walk(pageSize: pageSize)
        var token = ""
        let start = clock.now
        // Bounded by the deadline (and ends on an empty next-page token).
        repeat {
            guard clock.now < deadline else { throw BenchError("the walk did not finish before its deadline") }
            let pageStart = clock.now
            let reply = try await connection.listStorages(pageSize: pageSize, pageToken: token)
            walk.slowestPage = max(walk.slowestPage, clock.now - pageStart)
            walk.pages += 1
            walk.listed += reply.storages.count
            walk.inProgress += reply.storages.count(where: { $0.sync?.status == .inProgress })
            token = reply.nextPageToken
        } while !token.isEmpty
        walk.elapsed = clock.now - start
        return walk
    }

    // MARK: Heartbeats

    struct HeartbeatResult: Sendable {
        var streams = 0
        var connections = 0
        var rate = 0.0
        var warmUp: Duration = .zero
        var duration: Duration = .zero
        /// Ack latencies (ns) of heartbeats sent inside the measured window.
        var nanoseconds: [Int64] = []
        var sent = 0
        /// Heartbeats sent inside the window; those without a latency were not acknowledged
        /// before the stream's deadline (window end + drain).
        var sentInWindow = 0
        /// Acknowledgements received inside the window: the server's throughput.
        var ackedInWindow = 0
        var drain: Duration = .zero
        var acked = 0
        var notAcked = 0
        var unmatched = 0
        var streamErrors: [String] = []
        /// Heartbeats sent more than one period after their tick (the client fell behind).
        var lateSends = 0
        var serverCPU: Duration?
        /// This (measuring) process's CPU over the window.
        var clientCPU: Duration?
        var serverRSS: Int?
        /// ListStorages (page 100) during the window, a few per second.
        var listingUnderLoad: ListingSample?

        /// Heartbeats sent in the window that were never acknowledged.
        var unackedInWindow: Int { max(0, sentInWindow - nanoseconds.count) }

        /// The nearest-rank percentile over every heartbeat sent in the window, an unacknowledged
        /// one counting as slower than any acknowledged: `nil` when the rank falls among those.
        func percentile(_ fraction: Double) -> (value: Duration?, unacknowledged: Bool) {
            let total = nanoseconds.count + unackedInWindow
            guard total > 0 else { return (nil, false) }
            let rank = max(1, Int((fraction * Double(total)).rounded(.up)))
            if rank > nanoseconds.count { return (nil, true) }
            return (.nanoseconds(nanoseconds.sorted()[rank - 1]), false)
        }

        var cpuPerHeartbeat: Duration? {
            guard let serverCPU, ackedInWindow > 0 else { return nil }
            return serverCPU / ackedInWindow
        }
    }

    private struct StreamOutcome: Sendable {
        var nanoseconds: [Int64] = []
        var sent = 0
        var sentInWindow = 0
        var ackedInWindow = 0
        var acked = 0
        var notAcked = 0
        var unmatched = 0
        var late = 0
        var error: String?
    }

    /// One Heartbeat stream per lease over `connections` worker connections, each sending
    /// `rate` heartbeats a second (ticks staggered across streams, written by one
    /// `HeartbeatMetronome`) for `warmUp + duration`;
    /// latencies and server CPU are taken over the last `duration`.
    static func heartbeats(
        target: FerryTarget,
        server: FerrydProcess,
        leases: [FerryV1.JobLease],
        connections: Int,
        rate: Double,
        warmUp: Duration,
        duration: Duration,
        drain: Duration,
        listingConnection: FerryConnection?,
        listingPause: Duration
    ) async throws -> HeartbeatResult {
        var result = HeartbeatResult(
            streams: leases.count, connections: connections, rate: rate, warmUp: warmUp, duration: duration, drain: drain)
        let workers = try await (0..<connections).asyncMap { _ in try await target.worker() }
        let clock = ContinuousClock()
        let period = Duration.seconds(1 / rate)
        let begin = clock.now + .milliseconds(200)
        let windowStart = begin + warmUp
        let end = windowStart + duration
        let monotonicOffset = Int64(MonotonicTime.nanoseconds()) - (clock.now - begin).nanoseconds
        let windowStartNanos = UInt64(monotonicOffset + warmUp.nanoseconds)
        let windowEndNanos = windowStartNanos + UInt64(duration.nanoseconds)

        let states = leases.map(HeartbeatStreamState.init(lease:))
        let metronome = Task {
            await HeartbeatMetronome(
                streams: states, firstTick: begin, period: period, slotLength: .milliseconds(1), end: end
            ).run()
        }
        defer { metronome.cancel() }
        let cpu = Locked<(start: Duration?, end: Duration?, clientStart: Duration?, clientEnd: Duration?)>((nil, nil, nil, nil))
        let listingResult = Locked<ListingSample?>(nil)
        let outcomes = try await withThrowingTaskGroup(of: StreamOutcome?.self, returning: [StreamOutcome].self) { group in
            group.addTask {
                try? await Task.sleep(until: windowStart, clock: .continuous)
                cpu.withLock { ($0.start, $0.clientStart) = (server.child.cpuTime(), ProcFS.cpuTime()) }
                try? await Task.sleep(until: end, clock: .continuous)
                cpu.withLock { ($0.end, $0.clientEnd) = (server.child.cpuTime(), ProcFS.cpuTime()) }
                return nil
            }
            if let listingConnection {
                group.addTask {
                    try? await Task.sleep(until: windowStart, clock: .continuous)
                    let sample = await listLatency(
                        connection: listingConnection, pageSize: 100, warmUp: 0, calls: 100_000,
                        pause: listingPause, until: end)
                    listingResult.withLock { $0 = sample }
                    return nil
                }
            }
            for (index, state) in states.enumerated() {
                let connection = workers[index % workers.count]
                group.addTask {
                    await stream(
                        connection: connection, state: state, metronome: metronome, end: end, drain: drain,
                        windowStartNanos: windowStartNanos, windowEndNanos: windowEndNanos)
                }
            }
            var outcomes: [StreamOutcome] = []
            for try await outcome in group {
                if let outcome { outcomes.append(outcome) }
            }
            return outcomes
        }
        for worker in workers { await worker.close() }

        for outcome in outcomes {
            result.nanoseconds += outcome.nanoseconds
            result.sent += outcome.sent
            result.sentInWindow += outcome.sentInWindow
            result.ackedInWindow += outcome.ackedInWindow
            result.acked += outcome.acked
            result.notAcked += outcome.notAcked
            result.unmatched += outcome.unmatched
            result.lateSends += outcome.late
            if let error = outcome.error { result.streamErrors.append(error) }
        }
        let times = cpu.withLock { $0 }
        if let start = times.start, let stop = times.end { result.serverCPU = stop - start }
        if let start = times.clientStart, let stop = times.clientEnd { result.clientCPU = stop - start }
        result.serverRSS = server.child.residentBytes()
        result.listingUnderLoad = listingResult.withLock { $0 }
        return result
    }

    /// Opens one Heartbeat stream for `state`'s lease, hands its writer to the metronome and
    /// matches the acknowledgements to the heartbeats the metronome wrote.
    private static func stream(
        connection: FerryConnection,
        state stream: HeartbeatStreamState,
        metronome: Task<Void, Never>,
        end: ContinuousClock.Instant,
        drain: Duration,
        windowStartNanos: UInt64,
        windowEndNanos: UInt64
    ) async -> StreamOutcome {
        // Updated as replies arrive, so a stream that fails (deadline) keeps what it measured.
        let state = Locked(StreamOutcome())
        do {
            try await connection.rpc.bidirectional(
                FerryV1.Methods.WorkerService.heartbeat,
                serializer: ProtobufSerializer<FerryV1.HeartbeatRequest>(),
                deserializer: ProtobufDeserializer<FerryV1.HeartbeatResponse>(),
                options: connection.options(timeout: (end - ContinuousClock.now) + drain),
                requestProducer: { writer in
                    stream.writer.withLock { $0 = writer }
                    await metronome.value
                    stream.writer.withLock { $0 = nil }
                },
                onResponse: { responses in
                    for try await response in responses {
                        let received = MonotonicTime.nanoseconds()
                        let sequence = Int(response.ackedSequence)
                        guard
                            let sent = stream.sentTimes.withLock({
                                sequence >= 1 && sequence <= $0.count ? $0[sequence - 1] : nil
                            })
                        else {
                            state.withLock { $0.unmatched += 1 }
                            continue
                        }
                        state.withLock { outcome in
                            if response.ack { outcome.acked += 1 } else { outcome.notAcked += 1 }
                            if sent >= windowStartNanos, sent < windowEndNanos {
                                outcome.nanoseconds.append(Int64(received) - Int64(sent))
                            }
                            if received >= windowStartNanos, received < windowEndNanos { outcome.ackedInWindow += 1 }
                        }
                    }
                }
            )
        } catch {
            state.withLock { $0.error = "\(error)" }
        }
        let times = stream.sentTimes.withLock { $0 }
        let late = stream.lateSends.withLock { $0 }
        return state.withLock { outcome in
            outcome.sent = times.count
            outcome.late = late
            outcome.sentInWindow = times.count(where: { $0 >= windowStartNanos && $0 < windowEndNanos })
            return outcome
        }
    }

    // MARK: Helpers

    struct ParallelResult<Value: Sendable>: Sendable {
        var values: [Value] = []
        var errors: [String] = []
    }

    /// Runs `body(index)` for every index below `count`, `concurrency` at a time; collects the
    /// values and the first few errors.
    static func parallel<Value: Sendable>(
        count: Int,
        concurrency: Int,
        _ body: @escaping @Sendable (Int) async throws -> Value
    ) async throws -> ParallelResult<Value> {
        let lanes = max(1, min(concurrency, count))
        return await withTaskGroup(of: ParallelResult<Value>.self, returning: ParallelResult<Value>.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var partial = ParallelResult<Value>()
                    for index in stride(from: lane, to: count, by: lanes) {
                        guard !Task.isCancelled else { break }
                        do {
                            partial.values.append(try await body(index))
                        } catch {
                            if partial.errors.count < 3 { partial.errors.append("\(error)") }
                        }
                    }
                    return partial
                }
            }
            var all = ParallelResult<Value>()
            for await partial in group {
                all.values += partial.values
                all.errors += partial.errors
            }
            return all
        }
    }
}

extension Range where Bound == Int {
    /// Maps sequentially with an async throwing transform.
    func asyncMap<T>(_ transform: (Int) async throws -> T) async throws -> [T] {
        var result: [T] = []
        for index in self { result.append(try await transform(index)) }
        return result
    }
}
