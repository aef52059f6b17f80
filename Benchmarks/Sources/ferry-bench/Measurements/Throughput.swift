import FerryProto
import FerryRPC
import FerryTransport
import NIOCore
import NIOPosix
import Synchronization

/// Client-streaming heartbeat throughput, with the server's CPU cost per message and the
/// latency of unary calls made while the load runs.
struct ThroughputResult: Sendable {
    /// Connections carrying heartbeat streams.
    var connections: Int
    /// Concurrent heartbeat calls per connection.
    var streams: Int
    /// The offered load in messages per second over all calls, or `nil` for as fast as the
    /// transport lets the writers go.
    var pace: Int?
    /// What the writers sent.
    var messages: HeartbeatMessages
    /// The measured window (after warm-up), between two server stats snapshots.
    var window: Duration
    /// Heartbeats the server counted during the window.
    var serverMessages: UInt64
    /// Heartbeats the server confirmed in its replies, over the whole run including warm-up.
    var confirmedMessages: UInt64
    /// Heartbeats the client wrote, over the whole run.
    var sentMessages: UInt64
    /// The server process's CPU time during the window.
    var serverCPU: Duration?
    /// This process's CPU time during the window (client side, for context).
    var clientCPU: Duration?
    /// This process's largest RSS seen during the load.
    var clientPeakResidentBytes: Int
    /// Whether writers were stopped early because this process's memory ran away.
    var stoppedForMemory: Bool
    /// Heartbeat calls that failed.
    var failedStreams: Int
    /// The first failure, for the report.
    var firstError: String?
    /// Ping round trips on a dedicated connection during the window.
    var loadedLatency: LatencySample
    /// How long the `Stats` calls at the window's start and end took (they run on the control
    /// connection; a slow one is a sign of starvation, like a slow ping).
    var statsCallDurations: (first: Duration, last: Duration)
    /// Whether the loaded latency came from a pinger process of its own (`run --pinger-process`).
    var pingsFromOwnProcess = false

    /// Server-counted messages per second of the window.
    var messagesPerSecond: Double { window.seconds > 0 ? Double(serverMessages) / window.seconds : 0 }

    /// Server CPU per message in microseconds.
    var serverMicrosecondsPerMessage: Double? {
        guard let serverCPU, serverMessages > 0 else { return nil }
        return serverCPU.seconds * 1e6 / Double(serverMessages)
    }

    /// Client CPU per message in microseconds.
    var clientMicrosecondsPerMessage: Double? {
        guard let clientCPU, serverMessages > 0 else { return nil }
        return clientCPU.seconds * 1e6 / Double(serverMessages)
    }
}

/// Measures heartbeat throughput.
enum Throughput {
    /// How the load is shaped.
    struct Shape: Sendable {
        /// Connections under load.
        var connections: Int
        /// Calls per connection.
        var streams: Int
        /// Load before the window opens.
        var warmUp: Duration
        /// The window.
        var duration: Duration
        /// If set, the calls together offer this many messages per second, each writing its share
        /// in small bursts; `nil` writes as fast as `write` returns, which is what the transport's
        /// own backpressure allows.
        var pace: Int?
        /// Writers stop early if this process's RSS passes this, so a runaway queue cannot take
        /// the machine down.
        var clientMemoryLimit: Int
        /// A wait between the loaded-latency pings; zero pings back to back.
        var pingPause: Duration = .zero
        /// Real encoded heartbeats, or opaque bytes.
        var messages: HeartbeatMessages = .heartbeat
        /// Arguments of this executable that start a pinger process (`pinger --port … --certs …`)
        /// for the loaded latency; `nil` pings from a connection of this process.
        var pinger: [String]?
    }

    /// Lets a pinger process go, and reads its sample once it exits.
    ///
    /// - Throws: ``BenchError`` when it does not connect, does not finish within `limit`, or
    ///   reports nothing.
    private static func remotePings(_ pinger: ChildProcess, limit: Duration) async throws -> LatencySample {
        try await pinger.open(readyLine: Pinger.connectedLine, readiness: "connected", timeout: .seconds(30))
        guard await pinger.waitForExit(timeout: limit) else {
            pinger.killNow()
            throw BenchError("the pinger process did not finish within \(limit)")
        }
        guard let line = pinger.logLines(where: { $0.hasPrefix(Pinger.reportPrefix) }).last else {
            throw BenchError("the pinger process reported nothing: \(pinger.lastLogLines(3).joined(separator: " | "))")
        }
        return try PingerReport(line: line).sample
    }

    /// Opens the connections, runs the heartbeat calls writing encoded heartbeats, and after the
    /// warm-up measures for the window with the server's own count (`Stats`) and the child's CPU
    /// time, while a separate connection pings.
    ///
    /// - Parameters:
    ///   - target: The server.
    ///   - server: The server process, for its CPU time.
    ///   - shape: Connections, streams, durations, window.
    /// - Returns: The result.
    /// - Throws: When the control connection or its stats calls fail.
    static func measure(target: BenchTarget, server: ServerProcess, shape: Shape) async throws -> ThroughputResult {
        let clock = ContinuousClock()
        // Spawned before the load's connections open (see ChildProcess.standby), let go at the window.
        let pingerChild = try shape.pinger.map { arguments in
            try ChildProcess.standby(
                "ferry-bench pinger", executable: ServerProcess.selfExecutablePath(),
                arguments: arguments + [
                    "--seconds", String(shape.duration.seconds),
                    "--pause-milliseconds", String(shape.pingPause.nanoseconds / 1_000_000),
                ],
                grace: .seconds(10))
        }
        // Each load connection on a known loop, so a windowed writer can wait for that loop.
        let transports = (0..<shape.connections).map { _ in target.makeTransport() }
        let opened = await ConnectionPool.open(transports, parallelism: 16, deadline: clock.now + .seconds(60))
        let control = target.makeTransport(group: BenchTarget.measurementLoop)
        let pinger = target.makeTransport(group: BenchTarget.measurementLoop)
        try await control.connect()
        try await pinger.connect()
        let controlClient = RPCClient(transport: control)
        let pingClient = RPCClient(transport: pinger)

        let loadStart = clock.now
        let stopAt = loadStart + shape.warmUp + shape.duration
        let callTimeout = shape.warmUp + shape.duration + .seconds(30)
        let totals = Locked<(confirmed: UInt64, sent: UInt64, failures: Int, firstError: String?)>((0, 0, 0, nil))
        let guardRail = MemoryGuard(limit: shape.clientMemoryLimit)

        let window = try await withThrowingTaskGroup(of: Outcome.self) { group in
            let writerCount = opened.transports.count * shape.streams
            let perWriter = shape.pace.map { Double($0) / Double(max(1, writerCount)) }
            for transport in opened.transports {
                let client = RPCClient(transport: transport)
                for _ in 0..<shape.streams {
                    group.addTask {
                        await heartbeats(
                            client: client,
                            messages: shape.messages,
                            pace: perWriter,
                            until: stopAt,
                            callTimeout: callTimeout,
                            guardRail: guardRail,
                            totals: totals
                        )
                        return .writerDone
                    }
                }
            }
            group.addTask {
                await guardRail.watch(until: stopAt)
                return .writerDone
            }
            group.addTask(executorPreference: BenchTarget.measurementExecutor) {
                try await Task.sleep(until: loadStart + shape.warmUp, clock: clock)
                let first = try await Snapshot.take(controlClient, server: server)
                // No warm-up calls: the connection is open, and slow calls early in the window count.
                let latency =
                    if let pingerChild {
                        try await remotePings(pingerChild, limit: shape.duration + .seconds(30))
                    } else {
                        await Latency.measure(
                            client: pingClient,
                            warmUp: 0,
                            count: 10_000_000,
                            until: first.time + shape.duration,
                            pause: shape.pingPause
                        )
                    }
                let last = try await Snapshot.take(controlClient, server: server)
                return .window(Window(first: first, last: last, latency: latency))
            }
            group.addTask {
                // Writers that are still busy this long after the load stopped are cancelled.
                try? await Task.sleep(until: stopAt + .seconds(15), clock: clock)
                return .graceOver
            }
            var window: Window?
            var writers = opened.transports.count * shape.streams + 1
            while let outcome = try await group.next() {
                switch outcome {
                case .writerDone:
                    writers -= 1
                case .window(let measured):
                    window = measured
                case .graceOver:
                    if writers > 0 { group.cancelAll() }
                }
                if writers == 0, window != nil { group.cancelAll() }
            }
            return window!
        }

        await ConnectionPool(transports: opened.transports).close(deadline: clock.now + .seconds(30))
        await control.close()
        await pinger.close()

        let totalsNow = totals.withLock { $0 }
        return ThroughputResult(
            connections: opened.transports.count,
            streams: shape.streams,
            pace: shape.pace,
            messages: shape.messages,
            window: window.last.time - window.first.time,
            serverMessages: window.last.stats.heartbeats - window.first.stats.heartbeats,
            confirmedMessages: totalsNow.confirmed,
            sentMessages: totalsNow.sent,
            serverCPU: window.last.serverCPU.flatMap { last in window.first.serverCPU.map { last - $0 } },
            clientCPU: window.last.clientCPU.flatMap { last in window.first.clientCPU.map { last - $0 } },
            clientPeakResidentBytes: guardRail.peak,
            stoppedForMemory: guardRail.tripped,
            failedStreams: totalsNow.failures + opened.failures * shape.streams,
            firstError: totalsNow.firstError ?? opened.firstError,
            loadedLatency: window.latency,
            statsCallDurations: (window.first.callDuration, window.last.callDuration),
            pingsFromOwnProcess: shape.pinger != nil
        )
    }

    /// The most often a paced writer wakes: a fast one writes what it owes in bursts this far
    /// apart; a slow one (a beat per second or per ten) wakes only when its next message is due.
    private static let paceTick = Duration.milliseconds(100)

    /// One heartbeat call: writes until `stopAt` (as fast as it can, or `pace` messages per
    /// second), then half-closes and adds the server's count.
    private static func heartbeats(
        client: RPCClient,
        messages: HeartbeatMessages,
        pace: Double?,
        until stopAt: ContinuousClock.Instant,
        callTimeout: Duration,
        guardRail: MemoryGuard,
        totals: Locked<(confirmed: UInt64, sent: UInt64, failures: Int, firstError: String?)>
    ) async {
        let sent = WrittenCount()
        do {
            let reply = try await client.clientStreaming(
                BenchAPI.heartbeat,
                serializer: BytesCoder(),
                deserializer: BytesCoder(),
                options: CallOptions(timeout: callTimeout)
            ) { writer in
                let encoder = ProtobufSerializer<FerryV1.HeartbeatRequest>()
                var written: UInt64 = 0
                defer { sent.value.store(written, ordering: .relaxed) }
                // Message n is due at start + n / pace; a random phase within one interval, so
                // that paced writers do not all write in the same instant.
                let start = ContinuousClock.now + .seconds(pace.map { Double.random(in: 0..<1) / $0 } ?? 0)
                // Bounded by `stopAt`; each write is bounded by the call's deadline.
                while ContinuousClock.now < stopAt, !guardRail.tripped, !Task.isCancelled {
                    if let pace {
                        let due = start + .seconds(Double(written) / pace)
                        let now = ContinuousClock.now
                        if now < due {
                            try await Task.sleep(until: min(max(due, now + paceTick), stopAt), clock: .continuous)
                            continue
                        }
                    }
                    written += 1
                    switch messages {
                    case .heartbeat:
                        try await writer.write(
                            try encoder.serialize(BenchAPI.heartbeat(sequence: written, sentUnixMicros: Int64(written))))
                    case .opaque:
                        try await writer.write(BenchAPI.opaqueHeartbeat)
                    }
                }
            }
            let count = reply.count == 8 ? UInt64(littleEndianBytes: reply[0..<8]) : 0
            totals.withLock {
                $0.confirmed += count
                $0.sent += sent.value.load(ordering: .relaxed)
            }
        } catch {
            totals.withLock {
                $0.sent += sent.value.load(ordering: .relaxed)
                $0.failures += 1
                if $0.firstError == nil { $0.firstError = "\(error)" }
            }
        }
    }

    /// What a child task of the measurement reports.
    private enum Outcome: Sendable {
        case writerDone
        case window(Window)
        case graceOver
    }

    /// The two ends of the measured window.
    private struct Window: Sendable {
        var first: Snapshot
        var last: Snapshot
        var latency: LatencySample
    }

    /// The server's count and both processes' CPU times at one moment.
    private struct Snapshot: Sendable {
        var time: ContinuousClock.Instant
        var stats: ServerStats
        var serverCPU: Duration?
        var clientCPU: Duration?
        var callDuration: Duration

        /// Takes a snapshot; its time is the middle of the stats call.
        static func take(_ client: RPCClient, server: ServerProcess) async throws -> Snapshot {
            let before = ContinuousClock.now
            let stats = try await BenchTarget.stats(client)
            let after = ContinuousClock.now
            return Snapshot(
                time: before + (after - before) / 2,
                stats: stats,
                serverCPU: server.cpuTime(),
                clientCPU: ProcFS.cpuTime(),
                callDuration: after - before
            )
        }
    }
}

/// Messages one heartbeat call wrote, read after the call ends.
private final class WrittenCount: Sendable {
    let value = Atomic<UInt64>(0)
}

/// Watches this process's RSS during the load and trips when it passes a limit.
private final class MemoryGuard: Sendable {
    private let limit: Int
    private let state = Atomic<Bool>(false)
    private let peakBytes = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether the limit was passed; writers stop when it is.
    var tripped: Bool { state.load(ordering: .relaxed) }

    /// The largest RSS seen.
    var peak: Int { peakBytes.load(ordering: .relaxed) }

    /// Samples RSS every 100 ms until `deadline` (and a little after, while queues drain).
    func watch(until deadline: ContinuousClock.Instant) async {
        // Bounded by the deadline.
        while ContinuousClock.now < deadline + .seconds(2), !Task.isCancelled {
            let resident = ProcFS.residentBytes() ?? 0
            _ = peakBytes.max(resident, ordering: .relaxed)
            if resident > limit { state.store(true, ordering: .relaxed) }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
